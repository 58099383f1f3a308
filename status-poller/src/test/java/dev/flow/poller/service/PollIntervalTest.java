package dev.flow.poller.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.domain.TaskView;
import org.junit.jupiter.api.Test;

/** The choice of the pause before the next cycle: a pure function of the active tasks and the clock. */
class PollIntervalTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Duration SHORT = Duration.ofSeconds(5);
    private static final Duration STEADY = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private static TaskView task(TaskStatus status, Instant at) {
        return new TaskView("task-0000000000000001", "flow-dev", "t", "8xh100", 1, "us-central1-a", null, "bid_1",
                "flow-task-0000000000000001", 0, status, TransitionReason.ALLOCATED, at, List.of(), null, null, null, 2,
                at, null);
    }

    private static Duration choose(TaskView... active) {
        return PollInterval.choose(List.of(active), NOW, SHORT, STEADY, SETTLE);
    }

    @Test
    void noActiveTaskPollsAtTheShortIntervalSinceAnEmptyCycleCostsNothing() {
        assertThat(choose()).isEqualTo(SHORT);
    }

    @Test
    void aPendingOrPreemptingTaskKeepsTheShortInterval() {
        Instant longAgo = NOW.minus(Duration.ofHours(3));
        assertThat(choose(task(TaskStatus.PENDING, longAgo))).isEqualTo(SHORT);
        assertThat(choose(task(TaskStatus.PREEMPTING, longAgo))).isEqualTo(SHORT);
        // one moving task is enough, whatever the others do
        assertThat(choose(task(TaskStatus.RUNNING, longAgo), task(TaskStatus.PAUSED, longAgo),
                task(TaskStatus.PENDING, longAgo))).isEqualTo(SHORT);
    }

    @Test
    void aTaskThatEnteredRunningWithinTheSettleTimeKeepsTheShortInterval() {
        assertThat(choose(task(TaskStatus.RUNNING, NOW.minusSeconds(29)))).isEqualTo(SHORT);
        assertThat(choose(task(TaskStatus.RUNNING, NOW.minusSeconds(29)), task(TaskStatus.RUNNING,
                NOW.minus(Duration.ofHours(1))))).isEqualTo(SHORT);
    }

    @Test
    void tasksSteadilyRunningOrPausedGetTheSteadyInterval() {
        assertThat(choose(task(TaskStatus.RUNNING, NOW.minus(SETTLE)))).isEqualTo(STEADY);
        assertThat(choose(task(TaskStatus.RUNNING, NOW.minus(Duration.ofHours(2))),
                task(TaskStatus.PAUSED, NOW.minusSeconds(1)))).isEqualTo(STEADY);
    }

    @Test
    void theSameTaskMovesToTheSteadyIntervalAsTheClockPassesTheSettleTime() {
        TaskView running = task(TaskStatus.RUNNING, NOW);
        assertThat(PollInterval.choose(List.of(running), NOW.plusSeconds(10), SHORT, STEADY, SETTLE)).isEqualTo(SHORT);
        assertThat(PollInterval.choose(List.of(running), NOW.plusSeconds(31), SHORT, STEADY, SETTLE)).isEqualTo(STEADY);
    }
}
