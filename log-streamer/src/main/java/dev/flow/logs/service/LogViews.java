package dev.flow.logs.service;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.kafka.LogCursor;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.logs.kafka.LogReader;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Viewing: serves a task's lines from Kafka to a viewer — a WebSocket or a Server-Sent Events stream, through the
 * same {@link View}. Each view has a virtual thread with its own {@link LogCursor} (a blocking Kafka consumer):
 * first the tail (or everything after the resume token), then, when following, new lines as they are published.
 */
@ApplicationScoped
public class LogViews {

    private static final Logger LOG = Logger.getLogger(LogViews.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final LogReader reader;
    private final LogsConfig config;
    private final Map<String, View> views = new ConcurrentHashMap<>();

    public LogViews(LogReader reader, LogsConfig config) {
        this.reader = reader;
        this.config = config;
    }

    /** The task's last {@code n} lines, oldest first. Blocking. */
    public List<LogEntry> tail(String taskId, int n) {
        try (LogCursor cursor = reader.open(taskId)) {
            return cursor.tail(n, cursor.endOffset());
        }
    }

    /** Starts serving a socket; returns at once. */
    public void open(WebSocketConnection connection, ViewRequest request) {
        start(connection.id(), request, new SocketSink(connection));
    }

    public void closed(String connectionId) {
        View view = views.remove(connectionId);
        if (view != null) {
            view.stop();
        }
    }

    /**
     * The view as a stream (for Server-Sent Events): the view starts on subscription and stops on cancellation.
     * It emits only what the subscriber requested, so a slow client slows the Kafka reads instead of filling memory.
     * With {@code follow=false} the stream completes after the lines.
     */
    public Multi<LogEntry> stream(ViewRequest request) {
        return Multi.createFrom().emitter(emitter -> {
            String id = "sse-" + UUID.randomUUID();
            EmitterSink sink = new EmitterSink(emitter);
            emitter.onRequest(n -> sink.demand.release());
            emitter.onTermination(() -> {
                sink.demand.release(); // wakes a view waiting for demand
                closed(id);
            });
            start(id, request, sink);
        });
    }

    private void start(String id, ViewRequest request, Sink sink) {
        View view = new View(id, request, sink);
        views.put(id, view);
        Thread.ofVirtual().name("logs-view-" + id).start(view::run);
    }

    /** How many views are open (each holds a Kafka consumer and a virtual thread). */
    public int openViews() {
        return views.size();
    }

    void shutdown(@Observes ShutdownEvent event) {
        views.values().forEach(View::stop);
        views.clear();
    }

    /** Where a view's lines go. Called on the view's virtual thread only, so it may block. */
    private interface Sink {
        boolean isOpen();

        /** Delivers one line, waiting while the viewer cannot take it. */
        void send(LogEntry entry);

        /** All lines were sent and the view does not follow. */
        void end();

        void fail(RuntimeException e);
    }

    private record SocketSink(WebSocketConnection connection) implements Sink {
        @Override
        public boolean isOpen() {
            return connection.isOpen();
        }

        @Override
        public void send(LogEntry entry) {
            connection.sendText(LogMessage.json(entry)).await().atMost(SEND_TIMEOUT);
        }

        @Override
        public void end() {
            connection.close().await().atMost(SEND_TIMEOUT);
        }

        @Override
        public void fail(RuntimeException e) {
            connection.close(new CloseReason(1011, "log view failed")).await().atMost(SEND_TIMEOUT);
        }
    }

    private static final class EmitterSink implements Sink {
        private final MultiEmitter<? super LogEntry> emitter;
        /** Signalled on every request (and on termination); the view re-checks {@code requested()} after each. */
        final Semaphore demand = new Semaphore(0);

        EmitterSink(MultiEmitter<? super LogEntry> emitter) {
            this.emitter = emitter;
        }

        @Override
        public boolean isOpen() {
            return !emitter.isCancelled();
        }

        @Override
        public void send(LogEntry entry) {
            try {
                while (emitter.requested() == 0 && !emitter.isCancelled()) {
                    demand.acquire();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException(e);
            }
            if (!emitter.isCancelled()) {
                emitter.emit(entry);
            }
        }

        @Override
        public void end() {
            emitter.complete();
        }

        @Override
        public void fail(RuntimeException e) {
            emitter.fail(e);
        }
    }

    private final class View {
        private final String id;
        private final ViewRequest request;
        private final Sink sink;
        private volatile boolean stopped;
        private volatile LogCursor cursor;

        View(String id, ViewRequest request, Sink sink) {
            this.id = id;
            this.request = request;
            this.sink = sink;
        }

        void stop() {
            stopped = true;
            LogCursor current = cursor;
            if (current != null) {
                current.wakeup();
            }
        }

        void run() {
            try (LogCursor opened = reader.open(request.taskId())) {
                cursor = opened;
                long end = opened.endOffset();
                List<LogEntry> first = request.after().isPresent()
                        ? opened.read(request.after().getAsLong() + 1, Math.max(end, request.after().getAsLong() + 1))
                        : opened.tail(request.tail(), end);
                for (LogEntry entry : first) {
                    send(entry);
                }
                if (!request.follow()) {
                    if (!stopped && sink.isOpen()) {
                        sink.end();
                    }
                    return;
                }
                while (!stopped && sink.isOpen()) {
                    for (LogEntry entry : opened.poll(config.viewer().pollTimeout())) {
                        send(entry);
                    }
                }
            } catch (WakeupException | InterruptException e) {
                // the viewer went away while we waited for lines
            } catch (RuntimeException e) {
                if (!stopped && sink.isOpen()) {
                    LOG.warnf("log view of %s failed: %s", request.taskId(), e.toString());
                    sink.fail(e);
                }
            } finally {
                views.remove(id);
            }
        }

        private void send(LogEntry entry) {
            if (!stopped && sink.isOpen()) {
                sink.send(entry);
            }
        }
    }
}
