package dev.flow.service.rest;

import dev.flow.model.error.Problem;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.json.FlowJson;
import dev.flow.service.config.EdgeConfig;
import dev.flow.service.security.OperatorEndpoints;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * What the HTTP edge answers itself, as problem+json like every other error: a URI over
 * {@code flow.edge.max-uri-length} (414), a declared body over {@code quarkus.http.limits.max-body-size} (413), and
 * the router's own 404 (no such path), 405 (method not allowed), 413, 414 and 415. Runs before any other route,
 * on the event loop, and does nothing but compare lengths.
 */
@ApplicationScoped
public class EdgeProblems {

    private final EdgeConfig config;
    private final long maxBody;

    public EdgeProblems(EdgeConfig config,
                        @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
                        MemorySize maxBody) {
        this.config = config;
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::limits);
        for (int status : List.of(404, 405, 413, 414, 415)) {
            router.errorHandler(status, ctx -> answer(ctx, status));
        }
    }

    private void limits(RoutingContext ctx) {
        if (ctx.request().uri().length() > config.maxUriLength()) {
            answer(ctx, 414);
            return;
        }
        if (ctx.normalizedPath().startsWith(OperatorEndpoints.PATH)
                && ctx.request().getHeader(HttpHeaders.AUTHORIZATION) == null) {
            // OperatorEndpoints guards /q/metrics outside JAX-RS, where Quarkus's own challenge has no body: without
            // a token at all, the platform's problem+json says what is needed (a token it refuses stays Quarkus's 401)
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            write(ctx, 401, Problem.from(new dev.flow.model.error.AuthenticationError(
                    "a valid bearer token is required", List.of("send `Authorization: Bearer <token>` of the "
                            + "platform operator (group flow-operator)")), ctx.normalizedPath()));
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLong(length)) {
            // Quarkus would refuse it too, with a bare 413; this says why. The connection closes: the body is unread.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            answer(ctx, 413);
            return;
        }
        ctx.next();
    }

    private boolean tooLong(String length) {
        try {
            return Long.parseLong(length.strip()) > maxBody;
        } catch (NumberFormatException e) {
            return false; // Vert.x refuses a malformed Content-Length itself
        }
    }

    private void answer(RoutingContext ctx, int status) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        String path = ctx.normalizedPath();
        Problem problem = switch (status) {
            case 404 -> Problem.from(new ResourceNotFoundError("not found: no such endpoint"), path);
            case 405 -> edge(status, "method " + ctx.request().method() + " is not allowed here",
                    "see /q/openapi for the methods of each endpoint", path);
            case 413 -> edge(status, "the request body is larger than " + maxBody + " bytes",
                    "send a smaller body; large scripts belong in an image or on a volume", path);
            case 414 -> edge(status, "the request URI is longer than " + config.maxUriLength() + " characters",
                    "send fewer or shorter query parameters", path.length() > 256 ? null : path);
            default -> edge(status, "unsupported Content-Type " + ctx.request().getHeader(HttpHeaders.CONTENT_TYPE),
                    "send Content-Type: application/json", path);
        };
        write(ctx, status, problem);
    }

    private static void write(RoutingContext ctx, int status, Problem problem) {
        try {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .end(FlowJson.mapper().writeValueAsString(problem));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.response().setStatusCode(status).end();
        }
    }

    /** A problem about the request itself (its size, method or media type): a ValidationError with that status. */
    static Problem edge(int status, String detail, String suggestion, String path) {
        return new Problem(Problem.TYPE_BASE + "ValidationError", "ValidationError", status, detail,
                path == null || path.length() > 256 ? null : path, List.of(), List.of(suggestion));
    }
}
