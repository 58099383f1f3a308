package dev.flow.emulator.rest;

import dev.flow.emulator.config.EmulatorConfig;
import dev.flow.emulator.service.EmulatorEngine;
import dev.flow.emulator.service.FaultInjector;
import dev.flow.emulator.service.RequestCounter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In front of every matched request: counts /v2 calls per endpoint template, applies injected faults, then checks
 * the API key ({@code 401 {"detail":"Invalid credentials"}}). Latency is added without blocking the event loop.
 */
public class GatewayFilter {

    private final EmulatorEngine engine;
    private final FaultInjector faults;
    private final RequestCounter counter;
    private final Optional<String> adminKey;
    private final Map<Method, String> templates = new ConcurrentHashMap<>();

    public GatewayFilter(EmulatorEngine engine, FaultInjector faults, RequestCounter counter, EmulatorConfig config) {
        this.engine = engine;
        this.faults = faults;
        this.counter = counter;
        this.adminKey = config.auth().adminKey();
    }

    @ServerRequestFilter
    public Uni<Response> gate(ContainerRequestContext ctx, ResourceInfo info) {
        String path = ctx.getUriInfo().getPath();
        boolean api = path.startsWith("/v2/");
        boolean admin = path.startsWith("/_emulator");
        if (!api && !admin) {
            return Uni.createFrom().nullItem();
        }
        String method = ctx.getMethod();
        Optional<FaultInjector.Fault> fault = Optional.empty();
        if (api) {
            counter.count(method + " " + template(info));
            fault = faults.match(method, path);
        }
        Response answer = fault.filter(f -> f.status() != null).map(GatewayFilter::faultResponse)
                .orElseGet(() -> authorize(ctx, admin));
        long latency = fault.map(FaultInjector.Fault::latencyMillis).orElse(0L);
        Uni<Response> result = Uni.createFrom().item(answer);
        return latency > 0 ? result.onItem().delayIt().by(Duration.ofMillis(latency)) : result;
    }

    private Response authorize(ContainerRequestContext ctx, boolean admin) {
        String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (admin && adminKey.isPresent()) {
            return ("Bearer " + adminKey.get()).equals(header) ? null : ErrorMappers.detail(401, "Invalid credentials");
        }
        return engine.authenticate(header).isPresent() ? null : ErrorMappers.detail(401, "Invalid credentials");
    }

    private static Response faultResponse(FaultInjector.Fault fault) {
        String message = switch (fault.status()) {
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Injected fault";
        };
        if (fault.detail() != null) {
            message = fault.detail();
        }
        Response.ResponseBuilder builder = Response.status(fault.status())
                .type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE).entity(Map.of("detail", message));
        if (fault.retryAfterSeconds() != null) {
            builder.header("Retry-After", fault.retryAfterSeconds());
        }
        return builder.build();
    }

    private String template(ResourceInfo info) {
        Method m = info.getResourceMethod();
        return m == null ? "unmatched" : templates.computeIfAbsent(m, GatewayFilter::templateOf);
    }

    private static String templateOf(Method m) {
        Path classPath = m.getDeclaringClass().getAnnotation(Path.class);
        Path methodPath = m.getAnnotation(Path.class);
        String t = (classPath == null ? "" : classPath.value()) + (methodPath == null ? "" : methodPath.value());
        return t.replaceAll("/+", "/").replaceAll("(.)/$", "$1");
    }
}
