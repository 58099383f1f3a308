package dev.flow.logs.rest;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.service.LogViews;
import dev.flow.logs.service.ViewRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code ws://…/v1/tasks/{id}/logs?tail=N&follow=true|false&after=<token>}: one JSON text message per line
 * ({@link dev.flow.logs.service.LogMessage}). The upgrade is authorised by {@link LogSocketGuard} before the socket
 * opens, so a refused viewer never receives a line. The socket lives no longer than its token: when the token
 * expires the server closes it with {@value #TOKEN_EXPIRED} (policy violation) and the reason "token expired"; the
 * client reconnects with a fresh token and {@code after=<last token>}.
 */
@WebSocket(path = "/v1/tasks/{id}/logs")
public class TaskLogSocket {

    /** The close code when the token expires: 1008, policy violation (RFC 6455). */
    public static final int TOKEN_EXPIRED = 1008;

    private static final Logger LOG = Logger.getLogger(TaskLogSocket.class);
    private static final UserData.TypedKey<Long> EXPIRY_TIMER = UserData.TypedKey.forLong("flow.expiry-timer");

    private final LogViews views;
    private final LogsConfig config;
    private final Vertx vertx;

    public TaskLogSocket(LogViews views, LogsConfig config, Vertx vertx) {
        this.views = views;
        this.config = config;
        this.vertx = vertx;
    }

    @OnOpen
    public void open(WebSocketConnection connection) {
        closeWhenTokenExpires(connection);
        views.open(connection, request(connection.pathParam("id"), connection.handshakeRequest().query(), config));
    }

    @OnClose
    public void close(WebSocketConnection connection) {
        Long timer = connection.userData().get(EXPIRY_TIMER);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
        views.closed(connection.id());
    }

    private void closeWhenTokenExpires(WebSocketConnection connection) {
        Long expires = connection.userData().get(LogSocketGuard.TOKEN_EXPIRES);
        if (expires == null || expires <= 0) {
            return; // the guard verified a token without exp (SmallRye JWT refuses those by default)
        }
        long delay = Math.max(1, Duration.between(Instant.now(), Instant.ofEpochSecond(expires)).toMillis());
        long timer = vertx.setTimer(delay, id -> {
            LOG.debugf("closing log socket %s: its token expired", connection.id());
            connection.close(new CloseReason(TOKEN_EXPIRED, "token expired")).subscribe().with(
                    done -> { }, failure -> LOG.debugf("closing socket %s: %s", connection.id(), failure));
        });
        connection.userData().put(EXPIRY_TIMER, timer);
    }

    /** Parses the view parameters; the guard already refused invalid ones with 400. */
    static ViewRequest request(String taskId, String query, LogsConfig config) {
        return ViewRequest.parse(taskId, new QueryStringDecoder(query == null ? "" : query, false).parameters(),
                config.viewer().defaultTail(), config.viewer().maxTail());
    }
}
