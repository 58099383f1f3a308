package dev.flow.devstack.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Sends generated requests to a running service and checks the edge's promises on each: never a 5xx, every 4xx is
 * {@code application/problem+json}, and the status line arrives within {@link #ANSWER_WITHIN} (a client timeout,
 * so a request that blocks an event loop shows up as a failure, not as a slow test).
 */
public final class EdgeFuzz {

    /** How long a client waits for the status line of one request. */
    public static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);

    /** One generated request; {@code path} is already encoded, query values are encoded when sent. */
    public record Case(String method, String path, Map<String, String> query, String contentType, String body) {

        public static Case get(String path, Map<String, String> query) {
            return new Case("GET", path, query, null, null);
        }

        public static Case post(String path, String contentType, String body) {
            return new Case("POST", path, Map.of(), contentType, body);
        }

        /** For a failure message: short, with control characters visible. */
        String describe() {
            String text = method + " " + path + (query.isEmpty() ? "" : " " + query)
                    + (body == null ? "" : " body=" + body);
            text = text.codePoints().limit(300).map(c -> Character.isISOControl(c) ? '?' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            return contentType == null ? text : text + " (" + contentType + ")";
        }
    }

    /** What the run saw: cases sent, answers by status, and every broken promise. */
    public record Result(int cases, Map<Integer, Integer> statuses, List<String> failures) {
    }

    private final URI base;
    private final String token;
    private final String accept;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ANSWER_WITHIN).build();

    public EdgeFuzz(String baseUrl, String token) {
        this(baseUrl, token, null);
    }

    /** With an {@code Accept} header on every request (e.g. {@code text/event-stream}). */
    public EdgeFuzz(String baseUrl, String token, String accept) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.token = token;
        this.accept = accept;
    }

    /** {@code count} cases drawn from {@code cases} with {@code seed}, sent one after the other. */
    public Result run(Gen<Case> cases, long seed, int count) {
        return run(cases.sample(seed, count));
    }

    public Result run(List<Case> cases) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            String failure = send(c, statuses);
            if (failure != null) {
                failures.add(failure + ": " + c.describe());
            }
        }
        return new Result(cases.size(), statuses, failures);
    }

    /** Null when the answer kept the promises; otherwise what was wrong. */
    private String send(Case c, Map<Integer, Integer> statuses) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(c)).timeout(ANSWER_WITHIN)
                .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(c.body(), StandardCharsets.UTF_8));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (c.contentType() != null) {
            request.header("Content-Type", c.contentType());
        }
        try {
            // returns once the status line and headers are in: a stream that stays open (SSE) still counts as answered
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            statuses.merge(status, 1, Integer::sum);
            try (InputStream body = response.body()) {
                if (status >= 500) {
                    return "answered " + status + " " + new String(body.readNBytes(300), StandardCharsets.UTF_8);
                }
                String type = response.headers().firstValue("Content-Type").orElse("");
                if (status >= 400 && !type.startsWith("application/problem+json")) {
                    return "answered " + status + " as `" + type + "`, not application/problem+json";
                }
            }
            return null;
        } catch (HttpTimeoutException e) {
            statuses.merge(-1, 1, Integer::sum);
            return "no answer within " + ANSWER_WITHIN.toSeconds() + " s";
        } catch (IOException e) {
            statuses.merge(-2, 1, Integer::sum);
            return "connection failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private URI uri(Case c) {
        StringBuilder query = new StringBuilder();
        c.query().forEach((k, v) -> query.append(query.isEmpty() ? "?" : "&").append(encode(k)).append('=')
                .append(encode(v)));
        return URI.create(base + c.path() + query);
    }

    /** A value as one percent-encoded path segment or query component. */
    public static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Query maps with one or more of {@code params}, each drawn from {@code values}. */
    public static Gen<Map<String, String>> queries(List<String> params, Gen<String> values) {
        return r -> {
            Map<String, String> q = new LinkedHashMap<>();
            int n = r.nextInt(1, params.size() + 1);
            for (int i = 0; i < n; i++) {
                q.put(params.get(r.nextInt(params.size())), values.next(r));
            }
            return q;
        };
    }

    /** GET cases on {@code path(segment)}, the segment hostile and encoded, with hostile queries of {@code params}. */
    public static Gen<Case> gets(Function<String, String> path, List<String> params) {
        Gen<String> segment = HostileValues.text().map(s -> s.isEmpty() ? "%20" : encode(s));
        Gen<Map<String, String>> query = params.isEmpty() ? r -> Map.of() : queries(params, HostileValues.text());
        return r -> Case.get(path.apply(segment.next(r)), query.next(r));
    }

    /** GET cases on a fixed {@code path}, with hostile queries of {@code params}. */
    public static Gen<Case> gets(String path, List<String> params) {
        Gen<Map<String, String>> query = queries(params, HostileValues.text());
        return r -> Case.get(path, query.next(r));
    }

    /** POST cases on {@code path} with hostile bodies of {@code fields} (and {@code last}), some with a wrong type. */
    public static Gen<Case> posts(String path, List<String> fields, String last) {
        Gen<String> body = HostileValues.jsonBody(fields, last);
        Gen<String> type = Gen.weighted(8, Gen.of("application/json"), 1, Gen.of("text/plain", "application/xml",
                "application/x-www-form-urlencoded", "application/json; charset=latin1"), 1, (Gen<String>) r -> null);
        return r -> Case.post(path, type.next(r), body.next(r));
    }

    /** A summary line for the test log. */
    public static String summary(String service, long seed, Result result) {
        return service + " edge fuzz: " + result.cases() + " cases (seed " + seed + ", rerun with -Dflow.fuzz.seed="
                + seed + "), statuses " + result.statuses() + ", failures " + result.failures().size();
    }
}
