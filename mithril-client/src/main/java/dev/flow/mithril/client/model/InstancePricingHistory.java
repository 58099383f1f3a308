package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.List;

/**
 * {@code InstancePricingHistory}: the price an instance was billed at, per interval, in integer cents per hour.
 * {@code endTime} is null for the interval still open.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InstancePricingHistory(String instanceFid, List<Event> events, String bidFid, String reservationFid) {

    public InstancePricingHistory {
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** {@code InstancePricingEvent}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Event(long priceCents, Instant startTime, Instant endTime) {
    }
}
