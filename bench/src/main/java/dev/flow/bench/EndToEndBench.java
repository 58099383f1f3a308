package dev.flow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.devstack.local.LocalStack;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * N tasks submitted together through the whole local stack (real broker, database, emulator, four services in their
 * own JVMs): the time from each submit to its {@code completed} event on Kafka, and the Mithril calls the poller makes
 * per cycle against what polling one GET per task would make.
 *
 * <pre>./mvnw -q install -DskipTests && ./mvnw -q -pl bench exec:java -Dexec.mainClass=dev.flow.bench.EndToEndBench -Dexec.args=200</pre>
 */
public final class EndToEndBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EndToEndBench() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path state = Files.createTempDirectory("flow-bench-");
        Map<String, String> services = Map.of("flow.poller.interval", "1s");
        try (LocalStack stack = LocalStack.start(LocalStack.Settings.forTests(state, services,
                TaskBurst.emulatorSettings(tasks)));
             KafkaCompanion companion = new KafkaCompanion(stack.kafkaBootstrapServers())) {
            run(stack, companion, tasks);
        }
        System.out.println("every component's log: " + state.resolve("logs"));
        System.exit(0);
    }

    private static void run(LocalStack stack, KafkaCompanion companion, int tasks) throws Exception {
        String poller = stack.service("status-poller").orElseThrow().baseUrl();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long callsBefore = pollerCalls(stack);
        double cyclesBefore = metric(http, poller, stack.operatorToken(), "flow_poller_cycles_total");
        long start = System.nanoTime();
        try (TaskBurst burst = new TaskBurst(stack, companion, http)) {
            burst.submit(tasks);
            long submitMs = (System.nanoTime() - start) / 1_000_000;
            burst.awaitEnd(Duration.ofMinutes(10));
            long totalMs = (System.nanoTime() - start) / 1_000_000;
            double cycles = metric(http, poller, stack.operatorToken(), "flow_poller_cycles_total") - cyclesBefore;
            long calls = pollerCalls(stack) - callsBefore;

            List<Long> latencies = new ArrayList<>();
            burst.submittedAt.forEach((task, t0) -> {
                Long t1 = burst.completedAt.get(task);
                if (t1 != null) {
                    latencies.add(t1 - t0);
                }
            });
            Collections.sort(latencies);
            System.out.printf("%n== EndToEndBench: %d tasks (echo; sleep 2) on one a100 each ==%n", tasks);
            System.out.printf("submitted in                     %8d ms (%.1f tasks/s)%n", submitMs,
                    tasks * 1000.0 / Math.max(1, submitMs));
            System.out.printf("ended                            %8d of %d in %d ms: %s%n", burst.ended.size(), tasks,
                    totalMs, burst.ended.values().stream().collect(java.util.stream.Collectors.groupingBy(s -> s,
                            java.util.TreeMap::new, java.util.stream.Collectors.counting())));
            if (!latencies.isEmpty()) {
                System.out.printf("submit -> completed  p50 %6d ms   p95 %6d ms   max %6d ms%n",
                        pct(latencies, 50), pct(latencies, 95), latencies.get(latencies.size() - 1));
            }
            System.out.printf("poll cycles                      %8.0f%n", cycles);
            System.out.printf("Mithril calls by the poller      %8d (%.1f per cycle)%n", calls,
                    calls / Math.max(1, cycles));
            System.out.printf("one GET per task would be        %8d per cycle with %d tasks active (%.0fx more)%n",
                    tasks, tasks, tasks / Math.max(0.001, calls / Math.max(1, cycles)));
        }
    }

    /** GET calls the poller's kind of reader makes: bids, instances, history, availability (the emulator counts). */
    private static long pollerCalls(LocalStack stack) throws java.io.IOException {
        JsonNode counters = JSON.readTree(stack.emulator().orElseThrow().requestCounters());
        long calls = 0;
        for (var it = counters.fields(); it.hasNext(); ) {
            var entry = it.next();
            String endpoint = entry.getKey();
            if (endpoint.startsWith("GET /v2/spot/bids") || endpoint.startsWith("GET /v2/instances")
                    || endpoint.startsWith("GET /v2/spot/availability")) {
                calls += entry.getValue().asLong();
            }
        }
        return calls;
    }

    /** Sums a Prometheus counter over its labels from /q/metrics. */
    private static double metric(HttpClient http, String base, String operatorToken, String name) throws Exception {
        // /q/metrics is for the platform operator's token only
        String text = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                        .header("Authorization", "Bearer " + operatorToken).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+([0-9.eE+-]+)$", Pattern.MULTILINE)
                .matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    private static long pct(List<Long> sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
