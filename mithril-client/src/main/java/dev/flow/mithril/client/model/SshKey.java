package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** {@code NewSshKeyModel}; {@code required} keys are added to every bid of the project. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SshKey(String fid, String name, String project, String publicKey, Instant createdAt,
                     boolean required) {
}
