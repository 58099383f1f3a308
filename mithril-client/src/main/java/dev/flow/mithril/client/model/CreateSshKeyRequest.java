package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code CreateSshKeyRequest}: without {@code publicKey} the server generates an RSA pair and returns the private key. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreateSshKeyRequest(String project, String name, String publicKey, Boolean required) {

    public static CreateSshKeyRequest generate(String project, String name) {
        return new CreateSshKeyRequest(project, name, null, null);
    }

    public static CreateSshKeyRequest upload(String project, String name, String publicKey) {
        return new CreateSshKeyRequest(project, name, publicKey, null);
    }
}
