package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/**
 * {@code CreatedSshKeyModel}: a created key, with {@code privateKey} when the server generated the pair.
 * The private key is a secret: {@link #toString()} leaves it out.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreatedSshKey(String fid, String name, String project, String publicKey, Instant createdAt,
                            boolean required, String privateKey) {

    public SshKey toSshKey() {
        return new SshKey(fid, name, project, publicKey, createdAt, required);
    }

    @Override
    public String toString() {
        return "CreatedSshKey[fid=" + fid + ", name=" + name + ", project=" + project + ", required=" + required
                + ", privateKey=" + (privateKey == null ? "null" : "<redacted>") + "]";
    }
}
