package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code BidStatusResponse} of {@code GET /v2/spot/bids/{fid}/status}; may say {@link BidStatus#RELOCATING}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BidStatusResponse(String bidFid, BidStatus status) {
}
