package dev.flow.logs.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.kafka.LogCursor;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.logs.kafka.LogReader;
import dev.flow.model.json.FlowJson;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Viewing: serves a task's lines from Kafka to a WebSocket. Each open socket has a virtual thread with its own
 * {@link LogCursor} (a blocking Kafka consumer): first the tail (or everything after the resume token), then, when
 * following, new lines as they are published.
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
        View view = new View(connection, request);
        views.put(connection.id(), view);
        Thread.ofVirtual().name("logs-view-" + connection.id()).start(view::run);
    }

    public void closed(String connectionId) {
        View view = views.remove(connectionId);
        if (view != null) {
            view.stop();
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        views.values().forEach(View::stop);
        views.clear();
    }

    private final class View {
        private final WebSocketConnection connection;
        private final ViewRequest request;
        private volatile boolean stopped;
        private volatile LogCursor cursor;

        View(WebSocketConnection connection, ViewRequest request) {
            this.connection = connection;
            this.request = request;
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
                    connection.close().await().atMost(SEND_TIMEOUT);
                    return;
                }
                while (!stopped && connection.isOpen()) {
                    for (LogEntry entry : opened.poll(config.viewer().pollTimeout())) {
                        send(entry);
                    }
                }
            } catch (WakeupException e) {
                // the socket closed while we waited for lines
            } catch (RuntimeException e) {
                if (!stopped && connection.isOpen()) {
                    LOG.warnf("log view of %s failed: %s", request.taskId(), e.toString());
                    connection.close(new CloseReason(1011, "log view failed")).await().atMost(SEND_TIMEOUT);
                }
            } finally {
                views.remove(connection.id());
            }
        }

        private void send(LogEntry entry) {
            if (stopped || !connection.isOpen()) {
                return;
            }
            try {
                connection.sendText(FlowJson.mapper().writeValueAsString(LogMessage.of(entry)))
                        .await().atMost(SEND_TIMEOUT);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode a log line", e);
            }
        }
    }
}
