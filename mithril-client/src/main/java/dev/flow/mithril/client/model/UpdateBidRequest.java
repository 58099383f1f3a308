package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.money.Money;

import java.util.List;

/** {@code UpdateBidRequest} of {@code PATCH /v2/spot/bids/{fid}}: only the non-null fields are sent. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpdateBidRequest(Money limitPrice, Boolean paused, List<String> volumes, Integer memoryGb) {

    public static UpdateBidRequest pause() {
        return new UpdateBidRequest(null, true, null, null);
    }

    public static UpdateBidRequest resume() {
        return new UpdateBidRequest(null, false, null, null);
    }

    public static UpdateBidRequest limitPrice(Money limitPrice) {
        return new UpdateBidRequest(limitPrice, null, null, null);
    }

    /** Replaces the bid's attached volumes (the bid should be paused, as the Flow SDK does). */
    public static UpdateBidRequest volumes(List<String> volumeFids) {
        return new UpdateBidRequest(null, null, List.copyOf(volumeFids), null);
    }
}
