package dev.flow.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;

/**
 * Follows a task's status until a condition holds.
 *
 * <p>Honest note: the platform publishes status changes on Kafka ({@code flow.task.status}) but exposes no push
 * channel of them to clients yet (no SSE/WebSocket of status; the log-streamer's socket carries only log lines). So
 * this watch re-reads {@code GET /v1/tasks/{id}} on a timer — 250 ms, growing to 2 s — on one scheduler thread,
 * and completes a future; callers block on the future with their timeout, never sleep. When a status stream is
 * added, only this class changes.
 */
final class StatusWatch implements AutoCloseable {

    private static final Duration FIRST = Duration.ofMillis(250);
    private static final Duration MAX = Duration.ofSeconds(2);

    private final Flow flow;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flow-status-watch");
        t.setDaemon(true);
        return t;
    });

    StatusWatch(Flow flow) {
        this.flow = flow;
    }

    /** Completes with the first view of the task for which {@code until} holds; every view read goes to {@code seen}. */
    CompletableFuture<TaskView> watch(String taskId, Predicate<TaskView> until, Consumer<TaskView> seen) {
        return poll(() -> flow.fetch(taskId), until, seen);
    }

    TaskView await(String taskId, Predicate<TaskView> until, Consumer<TaskView> seen, Duration timeout,
                   Supplier<FlowError> onTimeout) {
        return await(watch(taskId, until, seen), timeout, onTimeout);
    }

    Invocation untilInvocationDone(String id, Duration timeout) {
        return await(poll(() -> flow.invocation(id), Invocation::isDone, i -> { }), timeout,
                () -> Flow.timeout("invocation " + id + " not finished", timeout,
                        List.of("invoke again with a longer timeout", "the invocation keeps running on the platform")));
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout, Supplier<FlowError> onTimeout) {
        try {
            return timeout == null ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw onTimeout.get();
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new FlowServiceError("interrupted while waiting", 499, List.of(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FlowError flowError) {
                throw flowError;
            }
            throw new FlowServiceError(String.valueOf(e.getCause()), 500, List.of(), e.getCause());
        }
    }

    private <T> CompletableFuture<T> poll(Supplier<T> read, Predicate<T> until, Consumer<T> seen) {
        CompletableFuture<T> result = new CompletableFuture<>();
        timer.execute(() -> step(read, until, seen, result, FIRST));
        return result;
    }

    private <T> void step(Supplier<T> read, Predicate<T> until, Consumer<T> seen, CompletableFuture<T> result,
                          Duration delay) {
        if (result.isDone()) {
            return;
        }
        try {
            T value = read.get();
            seen.accept(value);
            if (until.test(value)) {
                result.complete(value);
                return;
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        Duration next = delay.multipliedBy(3).dividedBy(2);
        Duration bounded = next.compareTo(MAX) > 0 ? MAX : next;
        timer.schedule(() -> step(read, until, seen, result, bounded), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
