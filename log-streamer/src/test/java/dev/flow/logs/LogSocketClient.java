package dev.flow.logs;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A real WebSocket client (Vert.x) on the log socket, recording every message and whether the server closed. */
final class LogSocketClient implements AutoCloseable {

    final List<JsonObject> messages = new CopyOnWriteArrayList<>();
    final AtomicBoolean closed = new AtomicBoolean();
    /** The close code the server sent (null until closed, or when it sent none). */
    volatile Short closeCode;
    volatile String closeReason;
    private final WebSocketClient client;
    private volatile WebSocket socket;

    private LogSocketClient(WebSocketClient client) {
        this.client = client;
    }

    /** Connects; a refused upgrade throws {@link UpgradeRejectedException} (with the HTTP status). */
    static LogSocketClient connect(Vertx vertx, URI base, String pathAndQuery, String bearer) throws Exception {
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(base.getHost()).setPort(base.getPort()).setURI(pathAndQuery);
        if (bearer != null) {
            options.addHeader("Authorization", "Bearer " + bearer);
        }
        return connect(vertx, options);
    }

    /** Connects as a browser does: no Authorization header, the token among the offered subprotocols. */
    static LogSocketClient connectOffering(Vertx vertx, URI base, String pathAndQuery, List<String> subprotocols)
            throws Exception {
        return connect(vertx, new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
                .setURI(pathAndQuery).setSubProtocols(subprotocols));
    }

    private static LogSocketClient connect(Vertx vertx, WebSocketConnectOptions options) throws Exception {
        LogSocketClient result = new LogSocketClient(vertx.createWebSocketClient());
        try {
            // handlers are set in the connect callback, on the socket's context, before any frame is delivered
            result.socket = result.client.connect(options).map(ws -> {
                ws.textMessageHandler(text -> result.messages.add(new JsonObject(text)));
                ws.closeHandler(v -> {
                    result.closeCode = ws.closeStatusCode();
                    result.closeReason = ws.closeReason();
                    result.closed.set(true);
                });
                return ws;
            }).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            return result;
        } catch (ExecutionException e) {
            result.client.close();
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The subprotocol the server selected (null when none). */
    String subprotocol() {
        return socket.subProtocol();
    }

    /** The texts of the log lines received (not of {@code status} or {@code gap} messages). */
    List<String> texts() {
        return messages.stream().filter(m -> "line".equals(m.getString("type"))).map(m -> m.getString("text")).toList();
    }

    @Override
    public void close() {
        if (socket != null && !socket.isClosed()) {
            socket.close();
        }
        client.close();
    }
}
