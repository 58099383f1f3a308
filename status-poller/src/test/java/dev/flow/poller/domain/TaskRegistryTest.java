package dev.flow.poller.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import org.junit.jupiter.api.Test;

/** The registry's idempotence: what Kafka's at-least-once delivery and a restart's replay rely on. */
class TaskRegistryTest {

    private static final Money LIMIT = Money.parse("$10.00");

    private static TaskSubmitted submitted(String taskId, Instant at) {
        return new TaskSubmitted(taskId, "flow-dev", "t", "a100", 1, "us-central1-a", LIMIT, null, at);
    }

    @Test
    void aRedeliveredTaskSubmittedPublishesNothingNewEvenAfterTheTaskEnded() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant now = Instant.now();
        TaskStatusChanged first = registry.submitted(submitted("task-a", now), 0).orElseThrow();
        assertThat(first.from()).isNull();
        assertThat(first.reason()).isEqualTo(TransitionReason.SUBMITTED);
        TaskSnapshot snapshot = registry.commitFirst(first).orElseThrow();
        assertThat(snapshot.version()).isEqualTo(1);
        assertThat(registry.submitted(submitted("task-a", now), 0)).isEmpty();

        TaskView seen = registry.view("task-a").orElseThrow();
        TaskStatusChanged end = new TaskStatusChanged("task-a", "flow-dev", TaskStatus.PENDING, TaskStatus.CANCELLED,
                TransitionReason.USER_CANCEL, now, now, List.of(), LIMIT, 1, "bid_1", "us-central1-a", "a100", 0, null);
        TaskSnapshot last = registry.commit(seen, List.of(end)).orElseThrow();
        assertThat(last.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(last.completedAt()).isEqualTo(now);
        assertThat(last.version()).isEqualTo(2);

        // the ended task leaves memory but is not forgotten
        assertThat(registry.isClosed("task-a")).isTrue();
        assertThat(registry.view("task-a")).isEmpty();
        assertThat(registry.activeCount()).isZero();
        assertThat(registry.submitted(submitted("task-a", now), 0)).isEmpty();
        assertThat(registry.commit(seen, List.of(end))).isEmpty();
    }

    @Test
    void aRestoredSnapshotNeverGoesBackAVersionAndAnOlderBidPlacedDoesNotReplaceTheBid() {
        TaskRegistry registry = new TaskRegistry(Duration.ofHours(24));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        registry.restore(snapshot("task-b", "bid_new", 5, t0.plusSeconds(50)), 1);
        registry.restore(snapshot("task-b", "bid_old", 3, t0.plusSeconds(20)), 1);
        assertThat(registry.view("task-b").orElseThrow().version()).isEqualTo(5);

        registry.bidPlaced(new BidPlaced("task-b", "bid_old", "flow-dev", "us-central1-a", "it_1", LIMIT,
                t0.plusSeconds(10)));
        assertThat(registry.view("task-b").orElseThrow().bidFid()).isEqualTo("bid_new");
        assertThat(registry.oldestActiveCreatedAt()).contains(t0);
    }

    private static TaskSnapshot snapshot(String taskId, String bidFid, long version, Instant at) {
        return new TaskSnapshot(taskId, "flow-dev", "t", TaskStatus.RUNNING, TransitionReason.ALLOCATED, List.of(),
                Instant.parse("2026-01-01T00:00:00Z"), at, null, bidFid, "us-central1-a", "a100", 1, LIMIT, 0, null,
                version, at);
    }
}
