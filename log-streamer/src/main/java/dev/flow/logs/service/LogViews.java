package dev.flow.logs.service;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.kafka.LogCursor;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.logs.kafka.LogReader;
import dev.flow.model.status.TaskStatus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Viewing: serves a task's lines to a viewer — a WebSocket or a Server-Sent Events stream, through the same
 * {@link View} on a virtual thread. History (the tail, or everything after the resume token) is read from Kafka by
 * offset with a short-lived {@link LogCursor}; a following view then joins the replica's {@link LiveLogHub} exactly
 * where its history ended. A view that falls behind its bounded live buffer gets a {@link ViewMessage.Gap} and
 * catches up from Kafka at its own pace, then joins the hub again.
 */
@ApplicationScoped
public class LogViews {

    private static final Logger LOG = Logger.getLogger(LogViews.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /** Most live lines a view takes from its buffer and writes at once. */
    static final int MAX_BATCH = 256;
    /**
     * How long a following view waits, once its task has ended, for lines still on their way (and for no line to
     * come) before it sends the end message and closes.
     */
    static final Duration END_QUIET = Duration.ofSeconds(2);

    private final LogReader reader;
    private final LiveLogHub hub;
    private final TaskDirectory directory;
    private final LogsConfig config;
    private final Map<String, View> views = new ConcurrentHashMap<>();

    public LogViews(LogReader reader, LiveLogHub hub, TaskDirectory directory, LogsConfig config) {
        this.reader = reader;
        this.hub = hub;
        this.directory = directory;
        this.config = config;
    }

    /** The task's last {@code n} lines, oldest first. Blocking. */
    public List<LogEntry> tail(String taskId, int n, java.util.OptionalInt node) {
        try (LogCursor cursor = reader.open(taskId, node)) {
            return cursor.tail(n, cursor.endOffset());
        }
    }

    /** Starts serving a socket; returns at once. */
    public void open(WebSocketConnection connection, ViewRequest request) {
        start(connection.id(), request, new SocketSink(connection, request.batch()));
    }

    public void closed(String connectionId) {
        View view = views.remove(connectionId);
        if (view != null) {
            view.stop();
        }
    }

    /**
     * Serves a Server-Sent Events stream: the view writes its frames to {@code response} itself and the returned
     * stream never emits an item; it completes when the view ends (then the framework ends the response) and its
     * cancellation (the client left, the token expired) stops the view. Subscribe only once the response's head was
     * sent: the view's first write follows at once.
     */
    public <T> Multi<T> events(ViewRequest request, HttpServerResponse response) {
        return Multi.createFrom().emitter(emitter -> {
            String id = "sse-" + UUID.randomUUID();
            emitter.onTermination(() -> closed(id));
            start(id, request, new ResponseSink(response, emitter));
        });
    }

    private void start(String id, ViewRequest request, Sink sink) {
        View view = new View(id, request, sink);
        views.put(id, view);
        Thread.ofVirtual().name("logs-view-" + id).start(view::run);
    }

    /** How many views are open (each holds a virtual thread; following ones a hub subscription). */
    public int openViews() {
        return views.size();
    }

    void shutdown(@Observes ShutdownEvent event) {
        views.values().forEach(View::stop);
        views.clear();
    }

    /** Where a view's messages go. Called on the view's virtual thread only, so it may block. */
    private interface Sink {
        boolean isOpen();

        /** Delivers messages in order, waiting while the viewer cannot take them. */
        void send(List<? extends ViewMessage> messages);

        /** All lines were sent and the view does not follow. */
        void end();

        void fail(RuntimeException e);
    }

    private record SocketSink(WebSocketConnection connection, boolean batch) implements Sink {
        @Override
        public boolean isOpen() {
            return connection.isOpen();
        }

        @Override
        public void send(List<? extends ViewMessage> messages) {
            if (batch) {
                // one frame for all that is ready: with many viewers, frames (one write each) are the cost
                StringBuilder frame = new StringBuilder("[");
                for (ViewMessage message : messages) {
                    frame.append(frame.length() > 1 ? "," : "").append(message.json());
                }
                connection.sendText(frame.append(']').toString()).await().atMost(SEND_TIMEOUT);
                return;
            }
            // One frame per message (generic clients), but the whole batch is handed to Vert.x before waiting:
            // writes queued from outside the event loop are flushed once the queue drains (Vert.x ConnectionBase),
            // so a batch costs about one flush, not one per line. Waiting on each send instead (a chain) made every
            // line a write, a flush and two thread hops per viewer. Sends from this one thread keep their order, and
            // one channel completes its writes in order: waiting for the last is waiting for all (a write that
            // fails means the socket is gone, and then the last one fails too).
            int last = messages.size() - 1;
            for (int i = 0; i < last; i++) {
                connection.sendText(messages.get(i).json()).subscribe().with(ok -> { }, failed -> { });
            }
            connection.sendText(messages.get(last).json()).await().atMost(SEND_TIMEOUT);
        }

        @Override
        public void end() {
            connection.close().await().atMost(SEND_TIMEOUT);
        }

        @Override
        public void fail(RuntimeException e) {
            if (connection.isOpen()) {
                connection.close(new CloseReason(1011, "log view failed")).subscribe().with(ok -> { }, failed -> { });
            }
        }
    }

    /**
     * Server-Sent Events written straight to the HTTP response: a batch becomes ONE buffer of frames, one write (an
     * HTTP chunk) and one flush, and the view waits for that write before the next batch, so a slow reader holds its
     * view (whose live buffer then overflows into a gap and a catch-up, as for a socket). Each line's frame is encoded
     * once and shared by all viewers ({@link ViewMessage#sseFrame()}); only the copy into this viewer's buffer is
     * per viewer. RESTEasy's SSE writer instead built, encoded and wrote every event for every viewer (0.26x the raw
     * consume rate with 100 viewers; bench/results-logs.md).
     */
    private record ResponseSink(HttpServerResponse response, MultiEmitter<?> emitter) implements Sink {
        @Override
        public boolean isOpen() {
            return !emitter.isCancelled() && !response.closed() && !response.ended();
        }

        @Override
        public void send(List<? extends ViewMessage> messages) {
            List<byte[]> frames = new ArrayList<>(messages.size());
            int size = 0;
            for (ViewMessage message : messages) {
                byte[] frame = message.sseFrame();
                frames.add(frame);
                size += frame.length;
            }
            Buffer batch = Buffer.buffer(size);
            frames.forEach(batch::appendBytes);
            try {
                response.write(batch).toCompletionStage().toCompletableFuture()
                        .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            } catch (ExecutionException | IllegalStateException e) {
                // the connection closed, or the response was ended under the view (the token expired): it is gone
                if (isOpen()) {
                    throw new IllegalStateException("writing log events failed", e);
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("the viewer accepted nothing for " + SEND_TIMEOUT.toSeconds() + " s");
            }
        }

        @Override
        public void end() {
            emitter.complete(); // the framework ends the response, after the writes above
        }

        @Override
        public void fail(RuntimeException e) {
            // the head is out, so no error status can follow: close the connection (RESTEasy would only log the
            // failure), and the client sees the stream break rather than hang
            response.close();
            emitter.fail(e);
        }
    }

    private final class View {
        private final String id;
        private final ViewRequest request;
        private final Sink sink;
        private volatile boolean stopped;
        /** When this view first saw its task ended (System.nanoTime), 0 while it has not. */
        private long endSeenAt;
        /** The next offset of the task's partition this view will look at: everything before was handled. */
        private long next;

        View(String id, ViewRequest request, Sink sink) {
            this.id = id;
            this.request = request;
            this.sink = sink;
        }

        void stop() {
            stopped = true;
        }

        private boolean active() {
            return !stopped && sink.isOpen();
        }

        void run() {
            LiveLogHub.Subscription live = null;
            try {
                pendingNote().ifPresent(note -> sink.send(List.of(note)));
                if (!request.follow()) {
                    history();
                    if (active()) {
                        sink.end();
                    }
                    return;
                }
                live = request.after().isPresent() ? catchUp(request.after().getAsLong() + 1) : tailThenJoin();
                long lastLineAt = System.nanoTime();
                while (active()) {
                    if (live.overflowed()) {
                        // the policy for a slow viewer: forget its live buffer, say so, catch up from Kafka
                        live.close();
                        sink.send(List.of(new ViewMessage.Gap(request.taskId(), next - 1, live.dropped())));
                        live = catchUp(next);
                        continue;
                    }
                    List<ViewMessage.Line> batch = new ArrayList<>();
                    for (ViewMessage.Line line : live.take(MAX_BATCH, config.viewer().pollTimeout())) {
                        if (line.offset() >= next) {
                            next = line.offset() + 1;
                            if (wanted(line.entry())) {
                                batch.add(line);
                            }
                        }
                    }
                    if (!batch.isEmpty() && active()) {
                        sink.send(batch);
                    }
                    if (!batch.isEmpty()) {
                        lastLineAt = System.nanoTime();
                    }
                    Optional<TaskDirectory.Entry> ended = endedAndQuiet(lastLineAt);
                    if (ended.isPresent() && active()) {
                        finish(ended.get());
                        return;
                    }
                }
            } catch (WakeupException | InterruptException | InterruptedException e) {
                // the viewer went away while we waited for lines
            } catch (RuntimeException e) {
                if (active()) {
                    LOG.warnf("log view of %s failed: %s", request.taskId(), e.toString());
                    sink.fail(e);
                }
            } finally {
                if (live != null) {
                    live.close();
                }
                views.remove(id);
            }
        }

        /**
         * The task, once a following view may end: it has ended (its terminal status is known here) at least
         * {@link #END_QUIET} ago, and no line came for as long. A node's last lines are published before its exit is
         * reported (a workload exit), or within moments of the terminal status that stops its tail (a cancel), so
         * by then every node's lines are in Kafka.
         */
        private Optional<TaskDirectory.Entry> endedAndQuiet(long lastLineAt) {
            if (System.nanoTime() - lastLineAt < END_QUIET.toNanos()) {
                return Optional.empty();
            }
            Optional<TaskDirectory.Entry> task = directory.find(request.taskId())
                    .filter(entry -> entry.status() != null && entry.status().isTerminal());
            if (task.isEmpty()) {
                endSeenAt = 0;
                return Optional.empty();
            }
            if (endSeenAt == 0) {
                endSeenAt = System.nanoTime();
            }
            Instant endedAt = task.get().at();
            boolean settled = System.nanoTime() - endSeenAt >= END_QUIET.toNanos()
                    || (endedAt != null && endedAt.plus(END_QUIET).isBefore(Instant.now()));
            return settled ? task : Optional.empty();
        }

        /** Sends what Kafka holds beyond what was sent (the hub may lag behind it), then the end, then closes. */
        private void finish(TaskDirectory.Entry task) {
            try (LogCursor cursor = reader.open(request.taskId(), request.node())) {
                sendRange(cursor, next, cursor.endOffset());
            }
            if (active()) {
                sink.send(List.of(new ViewMessage.End(request.taskId(), task.status(),
                        task.reason() == null ? null : task.reason().toString())));
                sink.end();
            }
        }

        /** A pending task has no (new) lines yet: say so first, so the viewer knows why it sees nothing. */
        private Optional<ViewMessage> pendingNote() {
            return directory.find(request.taskId())
                    .filter(task -> task.status() == TaskStatus.PENDING)
                    .map(task -> new ViewMessage.Status(request.taskId(), TaskStatus.PENDING, request.follow()
                            ? "task is pending: not running yet; its lines will follow once it runs"
                            : "task is pending: not running yet"));
        }

        /** follow=false: the tail or the lines after the token, up to the current end. */
        private void history() {
            try (LogCursor cursor = reader.open(request.taskId(), request.node())) {
                long end = cursor.endOffset();
                if (request.after().isPresent()) {
                    next = request.after().getAsLong() + 1;
                    sendRange(cursor, next, end);
                } else {
                    sendEntries(cursor.tail(request.tail(), end));
                }
            }
        }

        /** Subscribes first, then sends the tail up to where the hub begins: no gap, no duplicate. */
        private LiveLogHub.Subscription tailThenJoin() {
            try (LogCursor cursor = reader.open(request.taskId(), request.node())) {
                LiveLogHub.Subscription live = hub.subscribe(request.taskId());
                try {
                    sendEntries(cursor.tail(request.tail(), live.start()));
                    next = live.start();
                    return live;
                } catch (RuntimeException e) {
                    live.close();
                    throw e;
                }
            }
        }

        /**
         * Reads from {@code from} in chunks, at the viewer's pace, until close to the partition's end; then
         * subscribes to the hub and reads the last few offsets up to where the hub begins.
         */
        private LiveLogHub.Subscription catchUp(long from) {
            next = from;
            try (LogCursor cursor = reader.open(request.taskId(), request.node())) {
                long end = cursor.endOffset();
                while (end - next > config.viewer().bufferLines() / 2 && active()) {
                    sendRange(cursor, next, end);
                    end = cursor.endOffset();
                }
                LiveLogHub.Subscription live = hub.subscribe(request.taskId());
                try {
                    sendRange(cursor, next, live.start());
                    return live;
                } catch (RuntimeException e) {
                    live.close();
                    throw e;
                }
            }
        }

        /** The task's lines in {@code [from, to)}, a chunk at a time; {@code next} ends at {@code to} or beyond. */
        private void sendRange(LogCursor cursor, long from, long to) {
            int chunk = config.viewer().catchUpChunk();
            for (long at = from; at < to && active(); at += chunk) {
                long until = Math.min(to, at + chunk);
                sendEntries(cursor.read(at, until));
                next = Math.max(next, until);
            }
        }

        private void sendEntries(List<LogEntry> entries) {
            List<ViewMessage.Line> batch = new ArrayList<>();
            for (LogEntry entry : entries) {
                next = Math.max(next, entry.offset() + 1);
                if (wanted(entry)) {
                    batch.add(ViewMessage.Line.of(entry));
                }
            }
            if (!batch.isEmpty() && active()) {
                sink.send(batch);
            }
        }

        private boolean wanted(LogEntry entry) {
            return request.node().isEmpty() || request.node().getAsInt() == entry.line().node();
        }
    }
}
