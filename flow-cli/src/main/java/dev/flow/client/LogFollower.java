package dev.flow.client;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flow.model.error.AuthenticationError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;

/**
 * A task's log lines over the log-streamer's WebSocket, as an iterator.
 *
 * <ul>
 *   <li>Resume: every line carries a token; when the socket drops (a log-streamer restart, a network cut) the
 *   follower reconnects with {@code after=<last token>} and continues exactly after the last line it handed out —
 *   no gap, no duplicate. Connection attempts back off from 200 ms to 3 s, for at most {@link #RECONNECT_WINDOW}.</li>
 *   <li>End: once the task has ended and every node's lines were sent, the log-streamer sends
 *   {@code {"type":"end","status":…,"reason":…}} and closes the socket (1000): the follower ends there. As a fallback
 *   for a log-streamer that does not send it, when no line came for {@link #IDLE} while following, the follower reads
 *   the task's status; once the task is terminal it reads what is left ({@code follow=false&after=<token>}) and
 *   ends.</li>
 * </ul>
 */
final class LogFollower implements Iterator<LogLine>, AutoCloseable {

    static final Duration IDLE = Duration.ofSeconds(2);
    static final Duration RECONNECT_WINDOW = Duration.ofSeconds(90);
    /** A new task is not viewable until the log-streamer read its first status event. */
    private static final Duration NOT_YET_VISIBLE_WINDOW = Duration.ofSeconds(30);

    private record Received(int generation, LogLine line) { }
    private record Closed(int generation, int code) { }
    private record Failed(int generation, Throwable error) { }
    private record Ended(int generation) { }

    private final Flow flow;
    private final Task task;
    private final boolean follow;
    private final int tail;
    private final Integer node;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

    private volatile WebSocket socket;
    private volatile int generation;
    private volatile boolean closed;
    private String lastToken;
    private boolean draining;
    private boolean done;
    private LogLine next;

    LogFollower(Flow flow, Task task, boolean follow, int tail, Integer node) {
        this.flow = flow;
        this.task = task;
        this.follow = follow;
        this.tail = tail;
        this.node = node;
    }

    @Override
    public boolean hasNext() {
        try {
            while (next == null && !done && !closed) {
                if (socket == null) {
                    connect();
                }
                Object item = queue.poll(IDLE.toMillis(), TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (following() && task.refresh().isTerminal()) {
                        startDrain();
                    }
                } else if (item instanceof Received r && r.generation() == generation) {
                    lastToken = r.line().token();
                    if (node == null || r.line().node() == node) {
                        next = r.line();
                    }
                } else if (item instanceof Ended e && e.generation() == generation) {
                    done = true; // the task ended and its last line came before this message
                } else if (item instanceof Closed c && c.generation() == generation) {
                    if (following()) {
                        socket = null; // dropped while following: resume after the last token
                    } else {
                        done = true;
                    }
                } else if (item instanceof Failed f && f.generation() == generation) {
                    socket = null; // reconnect (also when only reading: the read resumes after the token)
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        }
        return next != null;
    }

    @Override
    public LogLine next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        LogLine line = next;
        next = null;
        return line;
    }

    @Override
    public void close() {
        closed = true;
        WebSocket current = socket;
        if (current != null) {
            current.abort();
        }
    }

    private boolean following() {
        return follow && !draining;
    }

    private void startDrain() {
        draining = true;
        WebSocket current = socket;
        generation++;
        socket = null;
        if (current != null) {
            current.abort();
        }
    }

    private void connect() throws InterruptedException {
        long started = System.nanoTime();
        Duration backoff = Duration.ofMillis(200);
        while (!closed) {
            int gen = ++generation;
            try {
                socket = flow.http().client().newWebSocketBuilder()
                        .header("Authorization", "Bearer " + flow.http().token())
                        .connectTimeout(Duration.ofSeconds(10))
                        .buildAsync(uri(), new Listener(gen))
                        .get(15, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof WebSocketHandshakeException handshake) {
                    int status = handshake.getResponse().statusCode();
                    FlowError error = refusal(status);
                    boolean mayAppear = status == 404
                            && elapsed(started).compareTo(NOT_YET_VISIBLE_WINDOW) < 0 && !task.refresh().isTerminal();
                    if (error != null && !mayAppear) {
                        throw error;
                    }
                } else if (!(cause instanceof ConnectException || cause instanceof HttpTimeoutException
                        || cause instanceof java.io.IOException)) {
                    throw new FlowServiceError("log stream failed: " + cause, 502, List.of(), cause);
                }
            } catch (TimeoutException e) {
                // the upgrade did not answer: try again
            }
            if (elapsed(started).compareTo(RECONNECT_WINDOW) > 0) {
                throw new FlowServiceError("the log stream of " + task.taskId() + " is unreachable at "
                        + flow.config().logsUrl() + " for " + RECONNECT_WINDOW.toSeconds() + " s", 503, List.of(
                        "is the log-streamer running? (FLOW_LOGS_URL)",
                        "`flow logs " + task.taskId() + "` again resumes from the start of the tail"), null);
            }
            Thread.sleep(backoff.toMillis()); // reconnect backoff, not synchronisation
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(3)) > 0 ? Duration.ofSeconds(3)
                    : backoff.multipliedBy(2);
        }
    }

    private FlowError refusal(int status) {
        return switch (status) {
            case 401, 403 -> new AuthenticationError("the log-streamer refused the token (HTTP " + status + ")",
                    List.of("get a new token (./flow-local prints one)", "export FLOW_TOKEN=<token>"));
            case 404 -> new ResourceNotFoundError("no logs for task " + task.taskId() + " (unknown task, or another "
                    + "project's)", List.of("`flow ls` lists your tasks"));
            case 400 -> ValidationError.of(dev.flow.model.error.FieldError.of("tail", "refused by the log-streamer"));
            default -> null; // 5xx while restarting: retry
        };
    }

    private URI uri() {
        String base = flow.config().logsUrl().toString().replaceFirst("^http", "ws");
        String query = (lastToken != null ? "after=" + lastToken : "tail=" + tail) + "&follow=" + following();
        return URI.create(base + "/v1/tasks/" + FlowHttp.enc(task.taskId()) + "/logs?" + query);
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    private final class Listener implements WebSocket.Listener {
        private final int gen;
        private final StringBuilder partial = new StringBuilder();

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    com.fasterxml.jackson.databind.JsonNode message = FlowHttp.JSON.readTree(partial.toString());
                    // the log-streamer's notes ({"type":"status"} while pending, {"type":"gap"} for a slow reader)
                    // are not lines (lines are {"type":"line",…})
                    if (!message.has("type") || "line".equals(message.path("type").asText())) {
                        queue.add(new Received(gen, FlowHttp.JSON.treeToValue(message, LogLine.class)));
                    } else if ("end".equals(message.path("type").asText())) {
                        queue.add(new Ended(gen));
                    }
                } catch (JsonProcessingException e) {
                    queue.add(new Failed(gen, e));
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            queue.add(new Closed(gen, statusCode));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            queue.add(new Failed(gen, error));
        }
    }
}
