package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code MeResponse} of {@code GET /v2/me}: the user the API key belongs to. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Me(String id, String fid, String email, String userName, String organizationId, String organizationRole) {
}
