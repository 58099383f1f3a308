package dev.flow.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.model.error.AuthenticationError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.Problem;
import dev.flow.model.json.FlowJson;

/**
 * The JDK HTTP client with the platform's conventions: bearer token, JSON both ways, and every error answer
 * (RFC 9457 {@code application/problem+json}) turned back into the seed's typed exception with its suggestions.
 */
final class FlowHttp {

    static final ObjectMapper JSON = FlowJson.mapper();

    private final HttpClient client;
    private final FlowConfig config;

    FlowHttp(FlowConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    HttpClient client() {
        return client;
    }

    FlowConfig config() {
        return config;
    }

    /** The bearer token, or an AuthenticationError that says how to get one. */
    String token() {
        return config.token().orElseThrow(() -> new AuthenticationError("no platform token configured", List.of(
                "export FLOW_TOKEN=<token> (the local stack writes one to .flow-local/dev-token)",
                "or set FLOW_TOKEN_FILE=.flow-local/dev-token",
                "or put `token: <token>` in ~/.flow/config.yaml")));
    }

    <T> T get(URI base, String path, Map<String, ?> query, Class<T> type) {
        return send(request(base, path, query).GET(), JSON.constructType(type));
    }

    <T> T get(URI base, String path, Map<String, ?> query, JavaType type) {
        return send(request(base, path, query).GET(), type);
    }

    String getText(URI base, String path, Map<String, ?> query) {
        HttpResponse<String> response = exchange(request(base, path, query).header("Accept", "text/plain").GET());
        return response.body();
    }

    <T> T post(URI base, String path, Map<String, ?> query, Object body, Class<T> type) {
        return send(request(base, path, query).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body))), JSON.constructType(type));
    }

    <T> T delete(URI base, String path, Map<String, ?> query, Class<T> type) {
        return send(request(base, path, query).DELETE(), JSON.constructType(type));
    }

    JavaType listOf(Class<?> element) {
        return JSON.getTypeFactory().constructCollectionType(List.class, element);
    }

    HttpRequest.Builder request(URI base, String path, Map<String, ?> query) {
        return HttpRequest.newBuilder(uri(base, path, query))
                .timeout(config.requestTimeout())
                .header("Authorization", "Bearer " + token())
                .header("Accept", "application/json");
    }

    static URI uri(URI base, String path, Map<String, ?> query) {
        StringJoiner q = new StringJoiner("&", "?", "");
        q.setEmptyValue("");
        if (query != null) {
            query.forEach((k, v) -> {
                if (v != null && !(v instanceof String s && s.isEmpty())) {
                    q.add(enc(k) + "=" + enc(String.valueOf(v)));
                }
            });
        }
        return URI.create(base + path + q);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A query map that keeps order and skips nulls. */
    static Map<String, Object> query(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                map.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return map;
    }

    private <T> T send(HttpRequest.Builder request, JavaType type) {
        HttpResponse<String> response = exchange(request);
        if (type.getRawClass() == Void.class || response.body() == null || response.body().isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(response.body(), type);
        } catch (JsonProcessingException e) {
            throw new FlowServiceError("unexpected answer from " + response.uri() + ": " + e.getOriginalMessage(),
                    502, List.of("check that FLOW_API_URL / FLOW_LOGS_URL / FLOW_COST_URL point at the platform"), e);
        }
    }

    HttpResponse<String> exchange(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unreachable(request.uri(), e);
        } catch (HttpTimeoutException e) {
            throw new FlowTimeoutError(request.method() + " " + request.uri().getPath() + " timed out after "
                    + config.requestTimeout().toSeconds() + " s", List.of("retry; the service may be overloaded"), e);
        } catch (IOException e) {
            throw unreachable(request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlowServiceError("interrupted", 499, List.of(), e);
        }
        if (response.statusCode() >= 400) {
            throw errorOf(response.statusCode(), response.body(), request.uri());
        }
        return response;
    }

    static FlowServiceError unreachable(URI uri, Exception e) {
        String base = uri.getScheme() + "://" + uri.getAuthority();
        return new FlowServiceError("cannot reach " + base + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage()) + ")", 503, List.of(
                "is the platform running? `./flow-local` starts it on this machine",
                "check FLOW_API_URL, FLOW_LOGS_URL and FLOW_COST_URL (or ~/.flow/config.yaml)"), e);
    }

    /** The typed error of an error answer: the problem document when there is one, else the status alone. */
    static FlowError errorOf(int status, String body, URI uri) {
        Problem problem = null;
        if (body != null && !body.isBlank()) {
            try {
                JsonNode node = JSON.readTree(body);
                if (node.isObject() && (node.has("type") || node.has("title") || node.has("detail"))) {
                    problem = JSON.treeToValue(node, Problem.class);
                }
            } catch (JsonProcessingException | IllegalArgumentException ignored) {
                // not a problem document: described by the status below
            }
        }
        if (problem == null) {
            problem = new Problem(null, null, status, "HTTP " + status + " from " + uri.getPath(), uri.getPath(),
                    List.of(), List.of());
        }
        return withDefaultSuggestions(problem.toException());
    }

    /**
     * Every error reaches the user with something to do: the service's suggestions when it gave some, else the
     * usual remedies of that error class.
     */
    static FlowError withDefaultSuggestions(FlowError error) {
        if (!error.suggestions().isEmpty()) {
            return error;
        }
        String m = error.getMessage();
        return switch (error) {
            case AuthenticationError e -> new AuthenticationError(m, List.of(
                    "the token is missing, invalid or expired: get a new one (./flow-local prints one)",
                    "export FLOW_TOKEN=<token>"));
            case dev.flow.model.error.ResourceNotFoundError e -> new dev.flow.model.error.ResourceNotFoundError(m, List.of(
                    "check the id: `flow ls` lists your tasks, `flow volumes ls` your volumes",
                    "another project's resources are not visible: check MITHRIL_DEFAULT_PROJECT and the token's projects"));
            case dev.flow.model.error.ValidationError e -> new dev.flow.model.error.ValidationError(m, e.errors(),
                    List.of("fix the fields named above; `flow run --help` lists the options"));
            case dev.flow.model.error.InsufficientQuotaError e -> new dev.flow.model.error.InsufficientQuotaError(m,
                    List.of("free capacity (cancel tasks, delete volumes) or ask for a larger quota"));
            case dev.flow.model.error.TaskExecutionError e -> new dev.flow.model.error.TaskExecutionError(m,
                    List.of("`flow logs TASK` shows what the task printed", "`flow status TASK` shows why it ended"));
            case FlowTimeoutError e -> new FlowTimeoutError(m, List.of("retry; the operation may take longer"));
            case FlowServiceError e -> new FlowServiceError(m, e.httpStatus(), List.of(
                    "retry in a moment; if it persists, the service's log says why"), e.getCause());
        };
    }

    static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode the request body", e);
        }
    }
}
