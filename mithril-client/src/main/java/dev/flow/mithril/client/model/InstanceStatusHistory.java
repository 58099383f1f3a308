package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.List;

/** {@code InstanceStatusHistory}: one instance's status transitions, oldest first. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InstanceStatusHistory(String instanceFid, List<Event> events, String bidFid, String reservationFid) {

    public InstanceStatusHistory {
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** {@code InstanceStatusEvent}. */
    public record Event(Instant timestamp, InstanceStatus status) {
    }
}
