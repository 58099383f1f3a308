package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/** {@code BidHistoryResponse} of {@code GET /v2/spot/bids/{fid}/history}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BidHistory(String bidFid, List<BidHistoryEvent> events) {

    public BidHistory {
        events = events == null ? List.of() : List.copyOf(events);
    }
}
