package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** {@code InstanceStatusResponse} of {@code GET /v2/instances/{fid}/status}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InstanceStatusResponse(String fid, String name, InstanceStatus status, String bid, String reservation,
                                     Instant endTime) {
}
