package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** {@code ProjectModel} of {@code GET /v2/projects}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Project(String fid, String name, Instant createdAt) {
}
