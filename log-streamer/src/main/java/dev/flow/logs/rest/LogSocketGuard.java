package dev.flow.logs.rest;

import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.service.TaskVisibility;
import dev.flow.model.error.ValidationError;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * Authorises the log socket's HTTP upgrade, before any line is sent. The bearer token comes from the
 * {@code Authorization} header or, for browsers (whose WebSocket API cannot set headers), from the
 * {@code access_token} (or {@code token}) query parameter. No valid token → 401; a task that is unknown or of a
 * project the token does not name → 404 (as the REST API: nothing is learnt about other projects); bad view
 * parameters → 400.
 */
@ApplicationScoped
public class LogSocketGuard implements HttpUpgradeCheck {

    private static final Map<String, List<String>> CHALLENGE = Map.of("WWW-Authenticate", List.of("Bearer"));

    private final JWTParser parser;
    private final TaskVisibility visibility;
    private final LogsConfig config;

    public LogSocketGuard(JWTParser parser, TaskVisibility visibility, LogsConfig config) {
        this.parser = parser;
        this.visibility = visibility;
        this.config = config;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        String taskId = context.pathParam("id");
        try {
            TaskLogSocket.request(taskId, request.query(), config);
        } catch (ValidationError e) {
            return CheckResult.rejectUpgrade(400);
        }
        String token = token(request);
        if (token == null) {
            return CheckResult.rejectUpgrade(401, CHALLENGE);
        }
        // verifying may load the key on first use: keep it off the event loop
        return Uni.createFrom().item(() -> {
                    try {
                        return parser.parse(token);
                    } catch (ParseException e) {
                        return null;
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(jwt -> {
                    if (jwt == null) {
                        return CheckResult.rejectUpgradeSync(401, CHALLENGE);
                    }
                    return visibility.visible(taskId, jwt) ? CheckResult.permitUpgradeSync()
                            : CheckResult.rejectUpgradeSync(404);
                });
    }

    private static String token(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String value = header.substring(7).trim();
            return value.isEmpty() ? null : value;
        }
        for (String name : List.of("access_token", "token")) {
            String value = request.getParam(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
