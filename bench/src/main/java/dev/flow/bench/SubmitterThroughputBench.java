package dev.flow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.local.LocalStack;

/**
 * Tasks per second through the submitter against bids per second placed on the emulator directly, in one run, at the
 * same concurrency: what the submitter's own work (validation, instance-type and price resolution, the startup
 * script, the idempotent create-by-name, the database row and the outbox) costs on top of Mithril's answer.
 *
 * <pre>./mvnw -q install -DskipTests && ./mvnw -q -pl bench exec:java -Dexec.mainClass=dev.flow.bench.SubmitterThroughputBench -Dexec.args="400 16"</pre>
 */
public final class SubmitterThroughputBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String A100 = "a100-80gb.sxm.1x";

    private SubmitterThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path state = Files.createTempDirectory("flow-bench-");
        // no capacity: every bid stays open, so both sides pay exactly the placement and no workload, SSH session or
        // status change of earlier bids competes with the measured requests for the machine
        Map<String, String> emulator = Map.of("emulator.market.capacity-per-region", "0",
                "emulator.market.volatility-bps", "0");
        try (LocalStack stack = LocalStack.start(LocalStack.Settings.forTests(state, Map.of(), emulator))) {
            run(stack, count, concurrency, rounds);
        }
        System.out.println("every component's log: " + state.resolve("logs"));
        System.exit(0);
    }

    private static void run(LocalStack stack, int count, int concurrency, int rounds) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        MithrilEmulator emulator = stack.emulator().orElseThrow();
        String mithril = emulator.baseUrl();
        String mithrilAuth = "Bearer " + emulator.apiKey();
        String submitter = stack.service("submitter-service").orElseThrow().baseUrl();
        String flowAuth = "Bearer " + stack.devToken();

        String projectFid = null;
        for (JsonNode p : get(http, mithril + "/v2/projects", mithrilAuth)) {
            if (p.path("name").asText().equals(stack.project())) {
                projectFid = p.path("fid").asText();
            }
        }
        String typeFid = null;
        for (JsonNode t : get(http, mithril + "/v2/instance-types", mithrilAuth)) {
            if (t.path("name").asText().equals(A100)) {
                typeFid = t.path("fid").asText();
            }
        }
        String region = null;
        for (JsonNode a : get(http, mithril + "/v2/spot/availability", mithrilAuth)) {
            if (a.path("instance_type").asText().equals(typeFid)) {
                region = a.path("region").asText();
                break;
            }
        }
        if (projectFid == null || typeFid == null || region == null) {
            throw new IllegalStateException("emulator catalogue lacks " + A100 + " in project " + stack.project());
        }
        String project = projectFid;
        String type = typeFid;
        String where = region;
        long unique = System.currentTimeMillis();

        IntFunction<HttpRequest> directBid = i -> post(mithril + "/v2/spot/bids", mithrilAuth, Map.of(
                "project", project, "region", where, "instance_type", type, "limit_price", "$50.00",
                "instance_quantity", 1, "name", "bench-direct-" + unique + "-" + i,
                "launch_specification", Map.of("ssh_keys", List.of(), "volumes", List.of(),
                        "startup_script", "#!/bin/bash\ntrue\n")));
        IntFunction<HttpRequest> submitTask = i -> post(submitter + "/v1/tasks", flowAuth, Map.of(
                "name", "bench-submit-" + unique + "-" + i, "command", "true", "instance_type", "a100",
                "region", where, "max_price_per_hour", 50));

        // one short round each first, so neither side is measured cold (JIT, connection pools, caches)
        measure(http, "warm-up direct", 32, concurrency, directBid, 201);
        measure(http, "warm-up submitter", 32, concurrency, submitTask, 201);

        System.out.printf("%n== SubmitterThroughputBench: %d creations per round, %d in flight, %d rounds ==%n",
                count, concurrency, rounds);
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            int base = round * 1_000_000;
            Result direct = measure(http, "emulator alone", count, concurrency, i -> directBid.apply(base + i), 201);
            JsonNode before = JSON.readTree(emulator.requestCounters());
            Result through = measure(http, "through submitter", count, concurrency,
                    i -> submitTask.apply(base + i), 201);
            JsonNode after = JSON.readTree(emulator.requestCounters());
            double ratio = through.perSecond() / direct.perSecond();
            ratios.add(ratio);
            System.out.printf("round %d  emulator alone %7.1f bids/s (p50 %4d ms, p99 %4d ms)   "
                            + "submitter %7.1f tasks/s (p50 %4d ms, p99 %4d ms)   ratio %.2f%n",
                    round, direct.perSecond(), direct.p50(), direct.p99(), through.perSecond(), through.p50(),
                    through.p99(), ratio);
            System.out.printf("         Mithril calls per task while submitting: %s%n", callsPerTask(before, after, count));
        }
        Collections.sort(ratios);
        System.out.printf("ratio submitter / emulator alone: median %.2f (min %.2f, max %.2f)%n",
                ratios.get(ratios.size() / 2), ratios.get(0), ratios.get(ratios.size() - 1));
    }

    /** The submitter's kinds of Mithril call per task (availability also counts the poller's, a few per second). */
    private static String callsPerTask(JsonNode before, JsonNode after, int count) {
        StringBuilder out = new StringBuilder();
        for (String endpoint : List.of("GET /v2/instance-types", "GET /v2/spot/availability", "GET /v2/ssh-keys", "GET /v2/quotas",
                "GET /v2/spot/bids", "POST /v2/spot/bids")) {
            long calls = after.path(endpoint).asLong() - before.path(endpoint).asLong();
            out.append(String.format("%s %.2f  ", endpoint, calls / (double) count));
        }
        return out.toString().trim();
    }

    private record Result(double perSecond, long p50, long p99) {
    }

    /** {@code count} requests, at most {@code concurrency} in flight; every answer must be {@code expected}. */
    private static Result measure(HttpClient http, String what, int count, int concurrency,
                                  IntFunction<HttpRequest> request, int expected) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> all = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            long t0 = System.nanoTime();
            all.add(http.sendAsync(request.apply(i), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .handle((response, error) -> {
                        inFlight.release();
                        if (error != null) {
                            failures.add(error.toString());
                        } else if (response.statusCode() != expected) {
                            failures.add(response.statusCode() + " " + response.body());
                        } else {
                            latencies.add((System.nanoTime() - t0) / 1_000_000);
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException(what + ": " + failures.size() + " of " + count + " failed, first: "
                    + failures.peek());
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(count / seconds, pct(sorted, 50), pct(sorted, 99));
    }

    private static HttpRequest post(String url, String auth, Map<String, ?> body) {
        try {
            return HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth)
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode get(HttpClient http, String url, String auth) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    private static long pct(List<Long> sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
