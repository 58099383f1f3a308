package dev.flow.bench;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.EmbeddedKafkaBroker;
import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out of one task's log to many WebSocket viewers against a raw Kafka consumer reading the same topic, in one
 * run: a real broker, the packaged log-streamer in its own JVM, {@code V} viewers ({@code follow=true&tail=0}) on
 * one task. Phase 1, burst: {@code N} lines produced as fast as the producer goes; lines/second each viewer and the
 * raw consumer received, from the first send to its last line. Phase 2, steady: {@code R} lines/s for 10 s; the delay
 * from the producer's send to each receipt (same JVM clock, the send time travels in the line). Every receiver checks
 * seq: a missing or repeated line counts as lost.
 *
 * <pre>./mvnw -q -pl dev-stack,shared-model,service-support install -DskipTests &&
 * ./mvnw -q -pl log-streamer package -DskipTests &&
 * ./mvnw -q -pl bench exec:java -Dexec.mainClass=dev.flow.bench.LogFanoutBench -Dexec.args="100 50000 1000 true"</pre>
 * (arguments: viewers, burst lines, steady lines/s, protocol: {@code true} WebSocket with batch frames, {@code false}
 * WebSocket with one message per frame (the default protocol), {@code sse} Server-Sent Events)
 */
public final class LogFanoutBench {

    private LogFanoutBench() {
    }

    public static void main(String[] args) throws Exception {
        int viewers = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int burst = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        // true: WebSocket, batch frames; false: WebSocket, one message per frame (the default); sse: Server-Sent Events
        String protocol = args.length > 3 ? args[3] : "true";
        Path state = Files.createTempDirectory("flow-logbench-");
        DevJwt jwt = DevJwt.generate();
        Path publicKey = Files.writeString(state.resolve("jwt-public.pem"), jwt.publicKeyPem());
        QuarkusAppProcess.Builder service = QuarkusAppProcess.builder("log-streamer",
                QuarkusAppProcess.jarOf("log-streamer"));
        boolean localJvm = Boolean.getBoolean("bench.local-jvm");
        if (!localJvm) {
            // as deployed (QuarkusAppProcess.DEPLOYED_JVM_OPTIONS, full tiered JIT), with a 1 GB heap cap, as
            // LedgerIngestBench; -Dbench.local-jvm=true keeps the local runner's C1-only JIT
            service.maxHeap("1g").jvmOptions(QuarkusAppProcess.DEPLOYED_JVM_OPTIONS.toArray(String[]::new));
        }
        String bufferLines = System.getProperty("bench.buffer-lines");
        if (bufferLines != null) {
            // a diagnosis: with a buffer longer than the burst no viewer overflows into its own catch-up from Kafka
            service.env("FLOW_LOGS_VIEWER_BUFFER_LINES", bufferLines);
            System.out.printf("flow.logs.viewer.buffer-lines=%s%n", bufferLines);
        }
        System.out.printf("log streamer JVM: %s%n", localJvm
                ? "local runner (-Xmx384m " + String.join(" ", QuarkusAppProcess.DEPLOYED_JVM_OPTIONS)
                        + " -XX:TieredStopAtLevel=1)"
                : "deployed (-Xmx1g " + String.join(" ", QuarkusAppProcess.DEPLOYED_JVM_OPTIONS) + ", full JIT)");
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().partitions(3).start();
             QuarkusAppProcess streamer = service
                     .port(0).logFile(state.resolve("log-streamer.log"))
                     .env("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())
                     .env("MITHRIL_API_URL", "http://127.0.0.1:9") // never called by the log streamer
                     .env("MITHRIL_API_KEY", "unused")
                     .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toString())
                     .env("MP_JWT_VERIFY_ISSUER", DevJwt.ISSUER)
                     .start()) {
            run(kafka.bootstrapServers(), URI.create(streamer.baseUrl()), jwt.token("bench", List.of("flow-dev")),
                    viewers, burst, rate, protocol, List.of(streamer.processHandle(), kafka.processHandle(),
                            ProcessHandle.current()));
        } catch (Exception e) {
            // a failed run must end: its receivers' threads would keep the JVM (and the build slot) alive
            e.printStackTrace();
            System.out.println("log-streamer's log: " + state.resolve("log-streamer.log"));
            System.exit(1);
        }
        System.out.println("log-streamer's log: " + state.resolve("log-streamer.log"));
        System.exit(0);
    }

    private static void run(String bootstrap, URI base, String token, int viewerCount, int burst, int rate,
                            String protocol, List<ProcessHandle> processes) throws Exception {
        String taskId = "task-bench" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        int total = burst + rate * 10;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            Instant now = Instant.now();
            producer.send(CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, new TaskStatusChanged(taskId,
                    "flow-dev", null, TaskStatus.RUNNING, TransitionReason.ALLOCATED, now, now, List.of(), null, 1,
                    null, null, null, 0, null), "/flow/bench", UUID.randomUUID().toString())).get();

            // the viewers are refused (404) until the log streamer has read the task's status: wait for it
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest visible = HttpRequest.newBuilder(base.resolve("/v1/tasks/" + taskId + "/logs?tail=1"))
                    .header("Authorization", "Bearer " + token).build();
            await(() -> {
                try {
                    return http.send(visible, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (java.io.IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }, Duration.ofSeconds(60), () -> "the log streamer does not know the task");

            // receivers: the raw consumer, then the viewers (a warm-up line proves every one follows)
            Receiver raw = new Receiver(total);
            Thread rawThread = Thread.ofPlatform().name("raw-consumer").start(() -> consume(bootstrap, taskId, raw,
                    total));
            List<Receiver> viewers = new ArrayList<>();
            for (int i = 0; i < viewerCount; i++) {
                Receiver viewer = new Receiver(total);
                viewers.add(viewer);
                if ("sse".equals(protocol)) {
                    stream(http, base, taskId, token, viewer);
                } else {
                    connect(http, base, taskId, token, viewer, Boolean.parseBoolean(protocol));
                }
            }
            await(() -> raw.ready && viewers.stream().allMatch(v -> v.ready), Duration.ofSeconds(60),
                    () -> "viewers not following: " + viewers.stream().filter(v -> !v.ready).count());
            long deadline;
            for (int attempt = 0; ; attempt++) {
                producer.send(record(taskId, -1 - attempt, System.nanoTime())).get();
                deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < deadline && !(raw.warm && viewers.stream().allMatch(v -> v.warm))) {
                    Thread.sleep(20); // a benchmark waiting for its setup; nothing is asserted on timing
                }
                if (raw.warm && viewers.stream().allMatch(v -> v.warm)) {
                    break;
                }
                if (attempt == 10) {
                    throw new IllegalStateException("viewers did not get the warm-up line");
                }
            }

            // phase 1: burst
            long[] cpuBefore = cpuNanos(processes);
            long start = System.nanoTime();
            for (int seq = 0; seq < burst; seq++) {
                producer.send(record(taskId, seq, System.nanoTime()));
            }
            producer.flush();
            long produced = System.nanoTime() - start;
            await(() -> raw.count >= burst && viewers.stream().allMatch(v -> v.count >= burst),
                    Duration.ofMinutes(5), () -> "burst not delivered");
            long burstWall = System.nanoTime() - start;
            long[] cpuAfter = cpuNanos(processes);
            double rawRate = burst / seconds(raw.lastAt - start);
            double[] viewerRates = viewers.stream().mapToDouble(v -> burst / seconds(v.lastAt - start)).sorted()
                    .toArray();

            // phase 2: steady rate, delays
            long steadyStart = System.nanoTime();
            long period = 1_000_000_000L / rate;
            for (int i = 0; i < rate * 10; i++) {
                long due = steadyStart + i * period;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                producer.send(record(taskId, burst + i, System.nanoTime()));
            }
            producer.flush();
            await(() -> raw.count >= total && viewers.stream().allMatch(v -> v.count >= total),
                    Duration.ofMinutes(5), () -> "steady phase not delivered");
            rawThread.interrupt();

            long[] viewerDelays = viewers.stream().flatMapToLong(v -> Arrays.stream(v.delays, burst, total))
                    .sorted().toArray();
            long[] rawDelays = Arrays.copyOfRange(raw.delays, burst, total);
            Arrays.sort(rawDelays);
            long lost = viewers.stream().mapToLong(v -> v.lost).sum() + raw.lost;
            long gaps = viewers.stream().mapToLong(v -> v.gaps).sum();

            System.out.printf("%nLogFanoutBench: %d viewers of one task (%s), burst %d lines (produced in %.2f s), "
                    + "then %d lines/s for 10 s%n", viewerCount, "sse".equals(protocol) ? "Server-Sent Events"
                    : "WebSocket, batch=" + protocol, burst, seconds(produced), rate);
            System.out.printf("| receiver | lines/s (burst) | p50 delay | p99 delay | max delay |%n|---|---|---|---|---|%n");
            System.out.printf("| raw Kafka consumer | %,.0f | %.1f ms | %.1f ms | %.1f ms |%n", rawRate,
                    ms(pct(rawDelays, 50)), ms(pct(rawDelays, 99)), ms(rawDelays[rawDelays.length - 1]));
            System.out.printf("| each of %d viewers (slowest / median) | %,.0f / %,.0f | %.1f ms | %.1f ms | %.1f ms |%n",
                    viewerCount, viewerRates[0], viewerRates[viewerRates.length / 2], ms(pct(viewerDelays, 50)),
                    ms(pct(viewerDelays, 99)), ms(viewerDelays[viewerDelays.length - 1]));
            System.out.printf("slowest viewer / raw consumer: %.2f×; all viewers together: %,.0f lines/s; "
                    + "lost or repeated lines: %d; gap markers: %d%n", viewerRates[0] / rawRate,
                    Arrays.stream(viewerRates).sum(), lost, gaps);
            // where the machine's CPU went during the burst: the viewers' clients share it with the service
            System.out.printf("CPU during the burst (%.1f s of wall time, %d cores): log streamer %.1f s, broker %.1f s, "
                    + "this JVM (producer, raw consumer, %d viewer clients) %.1f s%n", seconds(burstWall),
                    Runtime.getRuntime().availableProcessors(), seconds(cpuAfter[0] - cpuBefore[0]),
                    seconds(cpuAfter[1] - cpuBefore[1]), viewerCount, seconds(cpuAfter[2] - cpuBefore[2]));
        }
    }

    /** One receiver's tally; written by one thread (its listener), read after the phases by the main thread. */
    private static final class Receiver {
        final long[] delays;
        volatile boolean ready;
        volatile boolean warm;
        volatile int count;
        volatile long lastAt;
        long next;
        long lost;
        long gaps;

        Receiver(int total) {
            delays = new long[total];
        }

        void line(long seq, long sentAt) {
            long now = System.nanoTime();
            if (seq < 0) {
                warm = true;
                return;
            }
            if (seq != next) {
                lost += Math.abs(seq - next);
            }
            next = seq + 1;
            if (seq < delays.length) {
                delays[(int) seq] = now - sentAt;
            }
            lastAt = now;
            count++;
        }
    }

    private static void connect(HttpClient http, URI base, String taskId, String token, Receiver receiver,
                                boolean batch) throws Exception {
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/v1/tasks/" + taskId
                + "/logs?tail=0&follow=true&batch=" + batch);
        http.newWebSocketBuilder().header("Authorization", "Bearer " + token).buildAsync(uri, new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public void onOpen(WebSocket webSocket) {
                receiver.ready = true;
                webSocket.request(Long.MAX_VALUE);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String frame = partial.toString();
                    partial.setLength(0);
                    // batch=true: a frame is an array of messages, each a flat object ending with "}"
                    for (String json : frame.startsWith("[") ? frame.substring(1, frame.length() - 1).split("\\},\\{")
                            : new String[] {frame}) {
                        if (json.contains("\"type\":\"gap\"")) {
                            receiver.gaps++;
                        } else if (json.contains("\"type\":\"line\"")) {
                            receiver.line(number(json, "\"seq\":"), number(json, "\"text\":\"t="));
                        }
                    }
                }
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
    }

    /** A Server-Sent Events viewer: the JDK client reading the stream line by line on a virtual thread. */
    private static void stream(HttpClient http, URI base, String taskId, String token, Receiver receiver) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/tasks/" + taskId + "/logs?tail=0&follow=true"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token).build();
        Thread.ofVirtual().name("sse-viewer").start(() -> {
            try {
                receiver.ready = true; // the warm-up line proves the stream follows
                HttpResponse<java.util.stream.Stream<String>> response = http.send(request,
                        HttpResponse.BodyHandlers.ofLines());
                response.body().forEach(line -> {
                    if (line.startsWith("event:") && line.contains("gap")) {
                        receiver.gaps++;
                    } else if (line.startsWith("data:") && line.contains("\"type\":\"line\"")) {
                        receiver.line(number(line, "\"seq\":"), number(line, "\"text\":\"t="));
                    }
                });
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // the log streamer stops at the end of the run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void consume(String bootstrap, String taskId, Receiver receiver, int total) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(Topics.TASK_LOGS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(all);
            consumer.seekToEnd(all);
            all.forEach(consumer::position);
            receiver.ready = true;
            while (receiver.count < total && !Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (taskId.equals(record.key())) {
                        // decoded like the log streamer decodes: a fair comparison
                        CloudEventRecords.fromRecord(record).ifPresent(event -> {
                            LogLine line = (LogLine) event;
                            receiver.line(line.seq(), Long.parseLong(line.text().substring(2)));
                        });
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // done
        }
    }

    private static org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record(String taskId, long seq,
                                                                                         long sentAt) {
        return CloudEventRecords.toProducerRecord(Topics.TASK_LOGS,
                new LogLine(taskId, 0, seq, Instant.now(), LogStream.STDOUT, "t=" + sentAt), "/flow/bench",
                UUID.randomUUID().toString());
    }

    private static long number(String json, String prefix) {
        int at = json.indexOf(prefix) + prefix.length();
        int end = at;
        while (end < json.length() && (Character.isDigit(json.charAt(end)) || json.charAt(end) == '-')) {
            end++;
        }
        return Long.parseLong(json, at, end, 10);
    }

    private static void await(java.util.function.BooleanSupplier done, Duration timeout,
                              java.util.function.Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure.get());
            }
            Thread.sleep(20); // a benchmark polling for completion; no assertion depends on timing
        }
    }

    private static long[] cpuNanos(List<ProcessHandle> processes) {
        return processes.stream().mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .toArray();
    }

    private static long pct(long[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
