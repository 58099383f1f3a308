package dev.flow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.devstack.DevJwt;
import dev.flow.devstack.EmbeddedKafkaBroker;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.MithrilClientConfig;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import io.smallrye.mutiny.Multi;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The status poller alone at scale: N active tasks (bids created directly at the emulator, their TaskSubmitted and
 * BidPlaced published on a real embedded broker), the poller in its own JVM (the packaged application). Measures
 * Mithril calls per cycle (the emulator's request counters) against one GET per task per cycle, the delay from each
 * emulator transition (its Mithril time, the event's {@code at}) to its record on {@code flow.task.status} as a
 * multiple of the poll interval, and the cycle time, while all tasks start (ramp), while they run (steady) and while
 * a tenth of them is preempted and re-allocated (churn).
 *
 * <p>The steady phase lasts one whole sweep period ({@code flow.poller.sweep-every} cycles, the third argument,
 * default 20, at least 10): every such run of cycles holds exactly one sweep of the project's full lists, so its
 * calls per cycle are the delta cycles' cost with the sweep's amortised in.
 *
 * <pre>./mvnw -q install -DskipTests && ./mvnw -q -pl bench exec:java -Dexec.mainClass=dev.flow.bench.PollerBench -Dexec.args="1000 5s"</pre>
 */
public final class PollerBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "flow-dev";
    private static final String TYPE = "a100-80gb.sxm.1x";
    private static final String REGION = "us-central1-a";

    private record Seen(TaskStatusChanged change, long recordTimestamp) {
    }

    private PollerBench() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Duration interval = args.length > 1 ? Duration.parse("PT" + args[1].toUpperCase()) : Duration.ofSeconds(2);
        int sweepEvery = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path logs = Files.createTempDirectory("flow-poller-bench-");
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().partitions(3).start();
             MithrilEmulator emulator = MithrilEmulator.builder(List.of(PROJECT))
                     .property("emulator.market.capacity-per-region", Integer.toString(tasks + 16))
                     .property("emulator.workload.max-processes", Integer.toString(tasks + 16))
                     .property("emulator.market.volatility-bps", "0")
                     .property("emulator.market.auction-interval", "500ms")
                     .property("emulator.instances.step-delay", "300ms")
                     .property("emulator.instances.preemption-notice", "3s")
                     .logFile(logs.resolve("emulator.log"))
                     .start();
             MithrilClient mithril = MithrilClient.create(MithrilClientConfig.of(emulator.baseUrl(), emulator.apiKey()));
             QuarkusAppProcess poller = QuarkusAppProcess.builder("status-poller",
                             QuarkusAppProcess.jarOf("status-poller"))
                     .maxHeap("512m")
                     .logFile(logs.resolve("status-poller.log"))
                     .env("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())
                     .env("MITHRIL_API_URL", emulator.baseUrl())
                     .env("MITHRIL_API_KEY", emulator.apiKey())
                     // /q/metrics needs the operator's token: the poller verifies it with this signer's key
                     .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", Files.writeString(logs.resolve("jwt-public.pem"),
                             DevJwt.shared().publicKeyPem()).toString())
                     .env("MP_JWT_VERIFY_ISSUER", DevJwt.ISSUER)
                     .env("MP_JWT_VERIFY_AUDIENCES", DevJwt.AUDIENCE)
                     // one interval: every delay is measured against the same pause
                     .property("flow.poller.interval", interval.toMillis() + "ms")
                     .property("flow.poller.steady-interval", interval.toMillis() + "ms")
                     .property("flow.poller.sweep-every", Integer.toString(sweepEvery))
                     .start()) {
            run(tasks, interval, sweepEvery, kafka.bootstrapServers(), emulator, mithril, poller);
        }
        System.out.println("logs: " + logs);
        System.exit(0);
    }

    private static void run(int tasks, Duration interval, int sweepEvery, String bootstrap, MithrilEmulator emulator,
                            MithrilClient mithril, QuarkusAppProcess poller) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Map<String, Integer> running = new ConcurrentHashMap<>();
        Thread reader = statusReader(bootstrap, seen, running);

        String projectFid = mithril.projects().await().atMost(Duration.ofSeconds(30)).stream()
                .filter(p -> p.name().equals(PROJECT)).findFirst().orElseThrow().fid();
        List<String> named = mithril.instanceTypes().await().atMost(Duration.ofSeconds(30)).stream()
                .filter(t -> t.name().equals(TYPE)).map(InstanceType::fid).toList();
        String typeFid = mithril.spotAvailability().await().atMost(Duration.ofSeconds(30)).stream()
                .filter(a -> a.region().equals(REGION) && named.contains(a.instanceType())).findFirst().orElseThrow()
                .instanceType();
        Money limit = Money.parse("$50.00");

        // ---- ramp: N tasks placed as the submitter would, as fast as the emulator takes them
        long callsAtStart = pollerCalls(emulator);
        double cyclesAtStart = metric(http, poller, "flow_poller_cycles_total");
        Instant rampStart = Instant.now();
        Map<String, String> bidOf = new ConcurrentHashMap<>();
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                ids.add(taskId());
            }
            Multi.createFrom().iterable(ids).onItem().transformToUni(id -> {
                        Instant at = Instant.now();
                        send(producer, new TaskSubmitted(id, PROJECT, id, TYPE, 1, REGION, limit, null, at));
                        return mithril.createBid(new CreateBidRequest(projectFid, REGION, typeFid, limit, 1,
                                        "flow-" + id, LaunchSpecification.of(List.of(), List.of(), null)))
                                .invoke(bid -> {
                                    bidOf.put(id, bid.fid());
                                    send(producer, new BidPlaced(id, bid.fid(), PROJECT, REGION, typeFid, limit,
                                            Instant.now()));
                                });
                    }).merge(16)
                    .collect().asList().await().atMost(Duration.ofMinutes(10));
            producer.flush();
        }
        Duration submitTime = Duration.between(rampStart, Instant.now());
        waitFor(Duration.ofMinutes(15), () -> bidOf.keySet().stream().allMatch(id -> running.getOrDefault(id, 0) >= 1));
        Duration rampTime = Duration.between(rampStart, Instant.now());
        long rampCalls = pollerCalls(emulator) - callsAtStart;
        double rampCycles = metric(http, poller, "flow_poller_cycles_total") - cyclesAtStart;
        CycleTimes rampCycleTimes = cycleTimes(http, poller);
        int rampEvents = seen.size();

        // ---- steady: every task running, nothing changes: the cost of watching them, over a whole sweep period
        int steadyLength = Math.max(10, sweepEvery);
        double steadyStartCycles = metric(http, poller, "flow_poller_cycles_total");
        waitFor(Duration.ofMinutes(2), () -> metric(http, poller, "flow_poller_cycles_total") >= steadyStartCycles + 1);
        long steadyCallsStart = pollerCalls(emulator);
        double steadyCyclesStart = metric(http, poller, "flow_poller_cycles_total");
        double sweepsStart = metric(http, poller, "flow_poller_sweeps_total");
        double sweepCallsStart = metric(http, poller, "flow_poller_sweep_mithril_calls_sum");
        CycleTimes beforeSteady = cycleTimes(http, poller);
        waitFor(Duration.ofMinutes(15),
                () -> metric(http, poller, "flow_poller_cycles_total") >= steadyCyclesStart + steadyLength);
        long steadyCalls = pollerCalls(emulator) - steadyCallsStart;
        double steadyCycles = metric(http, poller, "flow_poller_cycles_total") - steadyCyclesStart;
        double steadySweeps = metric(http, poller, "flow_poller_sweeps_total") - sweepsStart;
        double steadySweepCalls = metric(http, poller, "flow_poller_sweep_mithril_calls_sum") - sweepCallsStart;
        CycleTimes steadyCycleTimes = cycleTimes(http, poller).minus(beforeSteady);

        // ---- churn: a tenth of the tasks preempted; each comes back on new instances
        List<String> victims = new ArrayList<>(bidOf.keySet());
        Collections.shuffle(victims, new Random(42));
        victims = victims.subList(0, Math.max(1, tasks / 10));
        long churnCallsStart = pollerCalls(emulator);
        double churnCyclesStart = metric(http, poller, "flow_poller_cycles_total");
        CycleTimes beforeChurn = cycleTimes(http, poller);
        int churnFrom = seen.size();
        for (String id : victims) {
            emulator.preemptBid(bidOf.get(id));
        }
        List<String> preempted = victims;
        waitFor(Duration.ofMinutes(10), () -> preempted.stream().allMatch(id -> running.getOrDefault(id, 0) >= 2));
        long churnCalls = pollerCalls(emulator) - churnCallsStart;
        double churnCycles = metric(http, poller, "flow_poller_cycles_total") - churnCyclesStart;
        CycleTimes churnCycleTimes = cycleTimes(http, poller).minus(beforeChurn);

        reader.interrupt();
        reader.join(5_000);

        List<Seen> ramp = seen.subList(0, rampEvents);
        List<Seen> churn = seen.subList(churnFrom, seen.size());
        System.out.printf("%n== PollerBench: %d active tasks, poll interval %s (steady interval the same), 1 poller JVM ==%n",
                tasks, interval);
        System.out.printf("submit (bid + TaskSubmitted + BidPlaced) of %d tasks: %.1f s; all running after %.1f s%n",
                tasks, submitTime.toMillis() / 1000.0, rampTime.toMillis() / 1000.0);
        System.out.println("| phase | cycles | Mithril calls / cycle | one GET per task / cycle | fewer | cycle time mean / max |");
        System.out.println("|---|---|---|---|---|---|");
        row("ramp (all tasks starting)", rampCycles, rampCalls, tasks, rampCycleTimes);
        row("steady (all running)", steadyCycles, steadyCalls, tasks, steadyCycleTimes);
        row("churn (" + victims.size() + " preempted)", churnCycles, churnCalls, tasks, churnCycleTimes);
        long rest = steadyCalls - Math.round(steadySweepCalls);
        double deltaCycles = steadyCycles - steadySweeps;
        System.out.printf("steady, split: %.0f delta cycles, %d calls (%.2f / cycle); %.0f sweep(s) every %d cycles, "
                        + "%.0f calls (%.1f / sweep, %.2f / cycle amortised)%n", deltaCycles, rest,
                deltaCycles == 0 ? 0 : rest / deltaCycles, steadySweeps, sweepEvery, steadySweepCalls,
                steadySweeps == 0 ? 0 : steadySweepCalls / steadySweeps, steadySweepCalls / steadyCycles);
        long wholeCalls = pollerCalls(emulator) - callsAtStart;
        double wholeCycles = metric(http, poller, "flow_poller_cycles_total") - cyclesAtStart;
        System.out.printf("whole run: %d calls in %.0f cycles, %.1f / cycle (%.0f× fewer than one GET per task)%n",
                wholeCalls, wholeCycles, wholeCalls / wholeCycles, tasks / (wholeCalls / wholeCycles));
        System.out.println();
        System.out.println("| transitions | events | delay p50 | p95 | p99 | max | p99 / interval |");
        System.out.println("|---|---|---|---|---|---|---|");
        delays("ramp", ramp, interval);
        delays("churn", churn, interval);
        List<Seen> all = new ArrayList<>(ramp);
        all.addAll(churn);
        delays("all", all, interval);
    }

    private static void row(String phase, double cycles, long calls, int tasks, CycleTimes times) {
        double perCycle = cycles == 0 ? 0 : calls / cycles;
        System.out.printf("| %s | %.0f | %.1f | %d | %.0f× | %.0f ms / %.0f ms |%n", phase, cycles, perCycle, tasks,
                perCycle == 0 ? 0 : tasks / perCycle, times.meanMillis(), times.maxMillis());
    }

    /** Delay from the emulator's time of a transition (its {@code at}) to the record's timestamp on Kafka. */
    private static void delays(String name, List<Seen> events, Duration interval) {
        List<Long> ms = new ArrayList<>();
        for (Seen s : events) {
            // SUBMITTED is dated by the TaskSubmitted, not by Mithril
            if (s.change().reason().kind() == TransitionReason.Kind.SUBMITTED) {
                continue;
            }
            ms.add(s.recordTimestamp() - s.change().at().toEpochMilli());
        }
        if (ms.isEmpty()) {
            System.out.printf("| %s | 0 | | | | | |%n", name);
            return;
        }
        Collections.sort(ms);
        long p99 = pct(ms, 99);
        System.out.printf("| %s | %d | %d ms | %d ms | %d ms | %d ms | %.2f |%n", name, ms.size(), pct(ms, 50),
                pct(ms, 95), p99, ms.getLast(), p99 / (double) interval.toMillis());
    }

    private static Thread statusReader(String bootstrap, List<Seen> seen, Map<String, Integer> running) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Thread t = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.TASK_STATUS));
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        CloudEventRecords.fromRecord(r).filter(TaskStatusChanged.class::isInstance)
                                .map(TaskStatusChanged.class::cast).ifPresent(c -> {
                                    seen.add(new Seen(c, r.timestamp()));
                                    if (c.to() == TaskStatus.RUNNING) {
                                        running.merge(c.taskId(), 1, Integer::sum);
                                    }
                                });
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // the bench is over
            }
        }, "status-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, FlowEvent event) {
        producer.send(CloudEventRecords.toProducerRecord(event.topic(), event, "/flow/bench",
                UUID.randomUUID().toString()));
    }

    private static String taskId() {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        Random random = new java.security.SecureRandom();
        StringBuilder id = new StringBuilder("task-");
        for (int i = 0; i < 16; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Duration limit, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + limit);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** GET calls the poller makes (bids, instances, history, availability, projects), from the emulator's counters. */
    private static long pollerCalls(MithrilEmulator emulator) throws Exception {
        JsonNode counters = JSON.readTree(emulator.requestCounters());
        long calls = 0;
        for (var it = counters.fields(); it.hasNext(); ) {
            var entry = it.next();
            if (entry.getKey().startsWith("GET ")) {
                calls += entry.getValue().asLong();
            }
        }
        return calls;
    }

    private record CycleTimes(double count, double sumSeconds, double maxSeconds) {
        CycleTimes minus(CycleTimes before) {
            return new CycleTimes(count - before.count, sumSeconds - before.sumSeconds, maxSeconds);
        }

        double meanMillis() {
            return count == 0 ? 0 : sumSeconds / count * 1000;
        }

        double maxMillis() {
            return maxSeconds * 1000;
        }
    }

    private static CycleTimes cycleTimes(HttpClient http, QuarkusAppProcess poller) throws Exception {
        return new CycleTimes(metric(http, poller, "flow_poller_cycle_duration_seconds_count"),
                metric(http, poller, "flow_poller_cycle_duration_seconds_sum"),
                metric(http, poller, "flow_poller_cycle_duration_seconds_max"));
    }

    /** /q/metrics is for the platform operator's token only. */
    private static final String OPERATOR_TOKEN = DevJwt.shared().operatorToken("bench");

    /** Sums a Prometheus series over its labels from /q/metrics. */
    private static double metric(HttpClient http, QuarkusAppProcess app, String name) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/q/metrics"))
                        .header("Authorization", "Bearer " + OPERATOR_TOKEN).build(),
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
