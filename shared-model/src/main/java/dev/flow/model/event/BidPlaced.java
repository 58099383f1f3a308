package dev.flow.model.event;

import dev.flow.model.money.Money;

import java.time.Instant;
import java.util.Objects;

/** The submitter created the Mithril spot bid of a task. */
@EventType("dev.flow.task.bid.placed.v1")
public record BidPlaced(String taskId, String bidFid, String project, String region, String instanceTypeFid,
                        Money limitPrice, Instant at) implements TaskLifecycleEvent {

    public BidPlaced {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(at, "at");
    }

    @Override
    public String key() {
        return taskId;
    }

    @Override
    public Instant time() {
        return at;
    }
}
