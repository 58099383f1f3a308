package dev.flow.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A remote function call ({@code /v1/invocations}): status {@code pending|running|succeeded|failed}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Invocation(String id, String taskId, String status, JsonNode result, JsonNode error) {

    public boolean isDone() {
        return "succeeded".equals(status) || "failed".equals(status);
    }
}
