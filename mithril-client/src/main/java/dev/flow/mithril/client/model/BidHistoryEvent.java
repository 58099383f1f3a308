package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.money.Money;

import java.time.Instant;

/** {@code BidHistoryEventModel}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BidHistoryEvent(Instant timestamp, BidHistoryEventType eventType, Money limitPrice, String userId,
                              Integer memoryGb, PersistentDiskChange persistentDiskChange) {

    /** {@code PersistentDiskChange}: the volume fid attached or removed. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PersistentDiskChange(String attached, String removed) {
    }
}
