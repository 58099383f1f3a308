package dev.flow.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;

/**
 * Follows a task's status until a condition holds, driven by the submitter's push channel
 * {@code GET /v1/tasks/{id}/events} (server-sent events: the current view first, then one per recorded change, the
 * stream ending after a terminal status). One daemon thread per watch reads the stream line by line
 * ({@code BodyHandlers.ofLines()}) and completes a future; callers block on the future with their timeout.
 *
 * <p>If the stream drops (a submitter restart, a proxy), the watch reads {@code GET /v1/tasks/{id}} once — a change
 * made while disconnected is seen even if the condition already holds — and subscribes again; the new stream starts
 * with the current view too. Reconnects wait a little (250 ms growing to 2 s) so a down service is not hammered.
 *
 * <p>Invocations have no status stream; {@link #untilInvocationDone} still re-reads them on a timer.
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
        CompletableFuture<TaskView> result = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().name("flow-status-" + taskId).unstarted(
                () -> follow(taskId, until, seen, result));
        // a timeout or cancel interrupts the blocked read, which ends the stream (the connection is released)
        result.whenComplete((v, e) -> reader.interrupt());
        reader.start();
        return result;
    }

    private void follow(String taskId, Predicate<TaskView> until, Consumer<TaskView> seen,
                        CompletableFuture<TaskView> result) {
        Duration backoff = FIRST;
        boolean reconnect = false;
        while (!result.isDone()) {
            try {
                if (reconnect) {
                    // what changed while no stream was open; the next stream's first event repeats it, harmless
                    if (offer(flow.fetch(taskId), until, seen, result)) {
                        return;
                    }
                }
                if (stream(taskId, until, seen, result)) {
                    return;
                }
                backoff = FIRST; // the stream was open: a fresh drop starts the back-off again
            } catch (FlowError e) {
                // 5xx and unreachable (503): the service is down or restarting, keep trying until the caller's timeout;
                // 401, 404...: retrying cannot help
                if (e.httpStatus() < 500) {
                    result.completeExceptionally(e);
                    return;
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            if (result.isDone()) {
                return;
            }
            reconnect = true;
            try {
                Thread.sleep(backoff.toMillis()); // a reconnect's back-off, not a status poll
            } catch (InterruptedException e) {
                return; // the future completed (timeout or cancel)
            }
            Duration next = backoff.multipliedBy(3).dividedBy(2);
            backoff = next.compareTo(MAX) > 0 ? MAX : next;
        }
    }

    /** Reads one stream to its end; true when the watch is over (the future completed). */
    private boolean stream(String taskId, Predicate<TaskView> until, Consumer<TaskView> seen,
                           CompletableFuture<TaskView> result) {
        FlowHttp http = flow.http();
        URI base = flow.config().apiUrl();
        String path = "/v1/tasks/" + FlowHttp.enc(taskId) + "/events";
        // no request timeout: the stream stays open as long as the task runs (heartbeats keep proxies from idling)
        HttpRequest request = HttpRequest.newBuilder(FlowHttp.uri(base, path, Map.of()))
                .header("Authorization", "Bearer " + http.token())
                .header("Accept", "text/event-stream").GET().build();
        HttpResponse<Stream<String>> response;
        try {
            response = http.client().send(request, HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw FlowHttp.unreachable(request.uri(), e);
        } catch (InterruptedException e) {
            return true;
        }
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() >= 400) {
                throw FlowHttp.errorOf(response.statusCode(), lines.collect(Collectors.joining("\n")), request.uri());
            }
            String event = null;
            StringBuilder data = new StringBuilder();
            Iterator<String> it = lines.iterator();
            while (it.hasNext() && !result.isDone()) {
                String line = it.next();
                if (line.isEmpty()) { // an event ends at a blank line
                    if ("task".equals(event) && !data.isEmpty()
                            && offer(read(data.toString()), until, seen, result)) {
                        return true;
                    }
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                } // ":" comments (heartbeats) and id: lines need nothing
            }
            return result.isDone();
        } catch (UncheckedIOException e) {
            return result.isDone(); // the stream dropped (or was closed because the watch ended)
        }
    }

    private static TaskView read(String json) {
        try {
            return FlowHttp.JSON.readValue(json, TaskView.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable status event: " + json, e);
        }
    }

    private static boolean offer(TaskView view, Predicate<TaskView> until, Consumer<TaskView> seen,
                                 CompletableFuture<TaskView> result) {
        seen.accept(view);
        if (until.test(view)) {
            result.complete(view);
            return true;
        }
        return result.isDone();
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

    /** Only invocations: they have no status stream. */
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
