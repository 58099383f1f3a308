package dev.flow.logs.rest;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.service.TaskDirectory;
import dev.flow.logs.service.TaskVisibility;
import dev.flow.logs.service.ViewRequest;
import dev.flow.model.error.ValidationError;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Authorises the log socket's HTTP upgrade, before any line is sent. The bearer token comes from
 * <ul>
 *   <li>the {@code Authorization: Bearer <jwt>} header (CLI, wscat {@code -H}), or</li>
 *   <li>the {@code Sec-WebSocket-Protocol} header, for browsers (whose WebSocket API cannot set other headers): the
 *   subprotocols {@value #SUBPROTOCOL}{@code , bearer.<jwt>}. The server selects {@value #SUBPROTOCOL}, so the token
 *   is never echoed back.</li>
 * </ul>
 * A token in the URL ({@code access_token}, {@code token}) is refused with 400: URLs end up in access logs, proxies
 * and browser history. The token is verified by SmallRye JWT ({@link JWTParser}: signature, issuer, expiry,
 * audience). No valid token → 401; a task that is unknown or of a project the token does not name → 404 (as the REST
 * API: nothing is learnt about other projects); bad view parameters → 400. The token's expiry is handed to the
 * socket ({@link #TOKEN_EXPIRES}), which closes when it passes.
 */
@ApplicationScoped
public class LogSocketGuard implements HttpUpgradeCheck {

    /** The subprotocol a client offers next to its {@code bearer.<jwt>} one, and the one the server selects. */
    public static final String SUBPROTOCOL = "flow.v1";
    static final String BEARER_SUBPROTOCOL = "bearer.";
    /** The verified token's {@code exp} (epoch seconds), for the socket. */
    static final UserData.TypedKey<Long> TOKEN_EXPIRES = UserData.TypedKey.forLong("flow.token-expires");

    private static final Map<String, List<String>> CHALLENGE = Map.of("WWW-Authenticate", List.of("Bearer"));
    private static final List<String> URL_TOKENS = List.of("access_token", "token");
    private static final Map<String, List<String>> NO_URL_TOKEN = Map.of("WWW-Authenticate", List.of(
            "Bearer error=\"invalid_request\", error_description=\"a token in the URL is refused: send "
                    + "'Authorization: Bearer <jwt>' or the subprotocols '" + SUBPROTOCOL + ", bearer.<jwt>'\""));
    private static final Map<String, List<String>> NO_SUBPROTOCOL = Map.of("WWW-Authenticate", List.of(
            "Bearer error=\"invalid_request\", error_description=\"offer the subprotocol '" + SUBPROTOCOL
                    + "' next to 'bearer.<jwt>'\""));

    private final JWTParser parser;
    private final TaskVisibility visibility;
    private final TaskDirectory directory;
    private final LogsConfig config;

    public LogSocketGuard(JWTParser parser, TaskVisibility visibility, TaskDirectory directory, LogsConfig config) {
        this.parser = parser;
        this.directory = directory;
        this.visibility = visibility;
        this.config = config;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        if (URL_TOKENS.stream().anyMatch(name -> request.getParam(name) != null)) {
            return CheckResult.rejectUpgrade(400, NO_URL_TOKEN);
        }
        String taskId = context.pathParam("id");
        ViewRequest view;
        try {
            view = TaskLogSocket.request(taskId, request.query(), config);
        } catch (ValidationError e) {
            return CheckResult.rejectUpgrade(400);
        }
        List<String> subprotocols = subprotocols(request);
        String token = bearerHeader(request);
        if (token == null) {
            token = subprotocols.stream().filter(p -> p.startsWith(BEARER_SUBPROTOCOL))
                    .map(p -> p.substring(BEARER_SUBPROTOCOL.length())).filter(t -> !t.isEmpty())
                    .findFirst().orElse(null);
            if (token != null && !subprotocols.contains(SUBPROTOCOL)) {
                // the server could select nothing, and a browser fails a handshake whose offer is not answered
                return CheckResult.rejectUpgrade(400, NO_SUBPROTOCOL);
            }
        }
        if (token == null) {
            return CheckResult.rejectUpgrade(401, CHALLENGE);
        }
        String jwt = token;
        // verifying may load the key on first use: keep it off the event loop
        return Uni.createFrom().item(() -> {
                    try {
                        return parser.parse(jwt);
                    } catch (ParseException e) {
                        return null; // bad signature, issuer, audience, or expired
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(verified -> {
                    if (verified == null) {
                        return CheckResult.rejectUpgradeSync(401, CHALLENGE);
                    }
                    if (!visibility.visible(taskId, verified)) {
                        return CheckResult.rejectUpgradeSync(404);
                    }
                    try {
                        // only once the caller may see the task: a stranger learns nothing of its node count
                        directory.find(taskId).ifPresent(task -> view.requireNodeBelow(task.numInstances()));
                    } catch (ValidationError e) {
                        return CheckResult.rejectUpgradeSync(400); // node=99 of a 2-node task, as on plain text
                    }
                    context.userData().put(TOKEN_EXPIRES, verified.getExpirationTime());
                    return CheckResult.permitUpgradeSync();
                });
    }

    private static String bearerHeader(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String value = header.substring(7).trim();
            return value.isEmpty() ? null : value;
        }
        return null;
    }

    private static List<String> subprotocols(HttpServerRequest request) {
        List<String> offered = new ArrayList<>();
        for (String header : request.headers().getAll("Sec-WebSocket-Protocol")) {
            for (String protocol : header.split(",")) {
                if (!protocol.isBlank()) {
                    offered.add(protocol.trim());
                }
            }
        }
        return offered;
    }
}
