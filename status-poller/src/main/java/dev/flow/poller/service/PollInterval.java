package dev.flow.poller.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

import dev.flow.poller.domain.TaskView;

/**
 * Which pause comes before the next cycle. A task that is moving (pending, preempting, or running for less than the
 * settle time) is polled at the short interval, so its next step is published soon; when every active task is
 * steadily running or paused, the steady interval spares Mithril. With no active task the short interval applies:
 * an empty cycle makes no call, and a task submitted meanwhile is picked up quickly.
 */
public final class PollInterval {

    private PollInterval() {
    }

    /**
     * @param active   the non-terminal tasks
     * @param interval the short interval ({@code flow.poller.interval})
     * @param steady   the long one ({@code flow.poller.steady-interval})
     * @param settle   how long a running task still counts as moving after its last transition's {@code at}
     *                 ({@code flow.poller.settle-time})
     */
    public static Duration choose(Collection<TaskView> active, Instant now, Duration interval, Duration steady,
                                  Duration settle) {
        if (active.isEmpty()) {
            return interval;
        }
        return active.stream().anyMatch(t -> moving(t, now, settle)) ? interval : steady;
    }

    private static boolean moving(TaskView t, Instant now, Duration settle) {
        return switch (t.status()) {
            case RUNNING -> t.at() == null || now.isBefore(t.at().plus(settle));
            case PAUSED -> false;
            // pending, preempting; a terminal task is not active, but would be worth a quick look
            default -> true;
        };
    }
}
