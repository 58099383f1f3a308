package dev.flow.logs.rest;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.service.LogViews;
import dev.flow.logs.service.ViewRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * {@code ws://…/v1/tasks/{id}/logs?tail=N&follow=true|false&after=<token>}: one JSON text message per line
 * ({@link dev.flow.logs.service.LogMessage}). The upgrade is authorised by {@link LogSocketGuard} before the socket
 * opens, so a refused viewer never receives a line.
 */
@WebSocket(path = "/v1/tasks/{id}/logs")
public class TaskLogSocket {

    private final LogViews views;
    private final LogsConfig config;

    public TaskLogSocket(LogViews views, LogsConfig config) {
        this.views = views;
        this.config = config;
    }

    @OnOpen
    public void open(WebSocketConnection connection) {
        views.open(connection, request(connection.pathParam("id"), connection.handshakeRequest().query(), config));
    }

    @OnClose
    public void close(WebSocketConnection connection) {
        views.closed(connection.id());
    }

    /** Parses the view parameters; the guard already refused invalid ones with 400. */
    static ViewRequest request(String taskId, String query, LogsConfig config) {
        return ViewRequest.parse(taskId, new QueryStringDecoder(query == null ? "" : query, false).parameters(),
                config.viewer().defaultTail(), config.viewer().maxTail());
    }
}
