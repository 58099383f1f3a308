package dev.flow.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.flow.devstack.Infrastructure;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.MithrilClientConfig;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several poller replicas, each its own JVM (the packaged application), sharing one real broker and the emulator:
 * the consumer group splits the tasks by partition; one replica is killed (SIGKILL) mid-run while the emulator
 * preempts and re-allocates every task, a new replica joins later, and every transition still appears exactly once,
 * in order, on {@code flow.task.status}, dated with the emulator's own history.
 */
class ReplicasIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String PROJECT = "flow-dev";
    private static final Pattern OWNED = Pattern.compile("\"ownedPartitions\"\\s*:\\s*\"\\[([0-9, ]*)]\"");

    private static MithrilEmulator emulator;
    private static MithrilClient mithril;
    private static KafkaCompanion kafka;
    private static String bootstrap;
    private static final List<QuarkusAppProcess> replicas = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        bootstrap = Infrastructure.sharedKafka().bootstrapServers();
        emulator = MithrilEmulator.startForTests(List.of("flow-dev", "flow-other"));
        mithril = MithrilClient.create(MithrilClientConfig.of(emulator.baseUrl(), emulator.apiKey()));
        kafka = new KafkaCompanion(bootstrap);
    }

    @AfterAll
    static void stop() {
        replicas.forEach(QuarkusAppProcess::close);
        if (kafka != null) {
            kafka.close();
        }
        if (mithril != null) {
            mithril.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private static java.nio.file.Path jwtPublicKey() {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("replicas-jwt", ".pem");
            file.toFile().deleteOnExit();
            return java.nio.file.Files.writeString(file, dev.flow.devstack.DevJwt.shared().publicKeyPem());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static QuarkusAppProcess replica(String name) {
        QuarkusAppProcess app = QuarkusAppProcess.builder(name, QuarkusAppProcess.jarOf("status-poller"))
                .maxHeap("256m")
                .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
                .env("MITHRIL_API_URL", emulator.baseUrl())
                .env("MITHRIL_API_KEY", emulator.apiKey())
                // /q/metrics is for operator tokens: the poller verifies JWTs, so it needs the signer's public key
                .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", jwtPublicKey().toString())
                .property("flow.poller.interval", "300ms")
                .property("flow.poller.steady-interval", "600ms")
                .property("flow.poller.settle-time", "1s")
                .property("flow.poller.unexplained-termination-grace", "3s")
                // a killed replica's partitions move after this
                .property("mp.messaging.incoming.lifecycle.session.timeout.ms", "6000")
                .property("mp.messaging.incoming.lifecycle.heartbeat.interval.ms", "1000")
                .start();
        synchronized (replicas) {
            replicas.add(app);
        }
        return app;
    }

    /** The partitions a replica owns, from its readiness data; empty while it has none (or is down). */
    private static Set<Integer> owned(QuarkusAppProcess app) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = OWNED.matcher(body);
            if (!m.find() || m.group(1).isBlank()) {
                return Set.of();
            }
            return java.util.Arrays.stream(m.group(1).split(",")).map(String::strip).map(Integer::valueOf)
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (Exception e) {
            return Set.of();
        }
    }

    /** Whether the live replicas own every partition between them, each exactly once. */
    private static boolean splitAmong(int partitions, QuarkusAppProcess... apps) {
        List<Integer> all = new ArrayList<>();
        for (QuarkusAppProcess app : apps) {
            Set<Integer> mine = owned(app);
            if (mine.isEmpty()) {
                return false;
            }
            all.addAll(mine);
        }
        return all.size() == partitions && new HashSet<>(all).size() == partitions;
    }

    @Test
    void everyTransitionAppearsOnceInOrderAcrossAKilledReplicaAndARebalance() throws Exception {
        CompletableFuture<QuarkusAppProcess> startA = CompletableFuture.supplyAsync(() -> replica("poller-a"));
        CompletableFuture<QuarkusAppProcess> startB = CompletableFuture.supplyAsync(() -> replica("poller-b"));
        QuarkusAppProcess a = startA.join();
        QuarkusAppProcess b = startB.join();
        int partitions = kafka.topics().describe("flow.task.lifecycle").get("flow.task.lifecycle").partitions().size();
        await().atMost(WAIT).until(() -> splitAmong(partitions, a, b));
        Set<Integer> ofA = owned(a);

        // two tasks on every partition, so both replicas watch some
        PollerFixture fixture = new PollerFixture(mithril, kafka);
        Map<Integer, Integer> perPartition = new LinkedHashMap<>();
        List<String> tasks = new ArrayList<>();
        while (tasks.size() < 2 * partitions) {
            String id = PollerFixture.newTaskId();
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions;
            if (perPartition.merge(p, 1, Integer::sum) <= 2) {
                tasks.add(id);
            }
        }
        ConsumerTask<String, byte[]> status = fixture.statusRecords();
        Map<String, Bid> bids = new LinkedHashMap<>();
        for (String id : tasks) {
            bids.put(id, fixture.submit(id, PROJECT, "a100-80gb.sxm.1x", "us-central1-a", "$50.00", 1, null));
        }
        await().atMost(WAIT).until(() -> tasks.stream().allMatch(id -> PollerFixture.changesOf(status, id).stream()
                .anyMatch(c -> c.to() == TaskStatus.RUNNING)));

        // replica A dies without a word; meanwhile every task is preempted and comes back on new instances
        a.processHandle().destroyForcibly();
        await().atMost(WAIT).until(() -> !a.isAlive());
        bids.values().forEach(bid -> emulator.preemptBid(bid.fid()));
        // B takes over A's partitions after the session timeout and finds what happened meanwhile
        await().atMost(WAIT).until(() -> owned(b).size() == partitions);
        await().atMost(WAIT).until(() -> tasks.stream().allMatch(id -> PollerFixture.changesOf(status, id).stream()
                .filter(c -> c.to() == TaskStatus.RUNNING).count() == 2));

        // a new replica joins: the partitions are split again
        QuarkusAppProcess c = replica("poller-c");
        await().atMost(WAIT).until(() -> splitAmong(partitions, b, c));

        // the workloads end; the submitter cancels the bids
        for (String id : tasks) {
            fixture.publish(new WorkloadExited(id, 0, 0, Instant.now()));
            fixture.cancel(bids.get(id).fid());
        }
        await().atMost(WAIT).until(() -> tasks.stream().allMatch(id -> {
            List<TaskStatusChanged> changes = PollerFixture.changesOf(status, id);
            return !changes.isEmpty() && changes.getLast().to().isTerminal();
        }));

        Map<String, List<InstanceStatusHistory.Event>> history = history(fixture.projectFid(PROJECT));
        for (String id : tasks) {
            List<TaskStatusChanged> changes = PollerFixture.changesOf(status, id);
            String where = "task " + id + " (partition " + (Utils.toPositive(Utils.murmur2(
                    id.getBytes(StandardCharsets.UTF_8))) % partitions) + ", A owned " + ofA + "): " + changes.stream()
                    .map(ch -> ch.to() + "/" + ch.reason()).toList();
            // a chain: each event starts where the previous ended, none repeated, in time order
            assertThat(changes.getFirst().from()).as(where).isNull();
            assertThat(changes.getFirst().reason()).as(where).isEqualTo(TransitionReason.SUBMITTED);
            for (int k = 1; k < changes.size(); k++) {
                TaskStatusChanged before = changes.get(k - 1);
                TaskStatusChanged next = changes.get(k);
                assertThat(next.from()).as(where).isEqualTo(before.to());
                assertThat(next.to() == before.to() && fids(next).equals(fids(before))).as(where + " repeats #" + k)
                        .isFalse();
            }
            assertThat(changes).extracting(TaskStatusChanged::at).as(where).isSorted();
            assertThat(changes.getLast().to()).as(where).isEqualTo(TaskStatus.COMPLETED);
            assertThat(changes.getLast().reason()).as(where).isEqualTo(TransitionReason.workloadExit(0));

            // the emulator's own history of the task's instances: each RUNNING and PREEMPTING once, at its time
            Set<String> instances = changes.stream().flatMap(ch -> ch.instances().stream()).map(InstanceInfo::fid)
                    .collect(Collectors.toSet());
            List<Instant> runningAt = times(history, instances, InstanceStatus.STATUS_RUNNING);
            List<Instant> preemptingAt = times(history, instances, InstanceStatus.STATUS_PREEMPTING);
            assertThat(runningAt).as(where).hasSize(2);
            assertThat(preemptingAt).as(where).hasSize(1);
            assertThat(changes.stream().filter(ch -> ch.to() == TaskStatus.RUNNING).map(TaskStatusChanged::at))
                    .as(where).containsExactlyElementsOf(runningAt);
            assertThat(changes.stream().filter(ch -> ch.to() == TaskStatus.PREEMPTING).map(TaskStatusChanged::at))
                    .as(where).containsExactlyElementsOf(preemptingAt);
            List<TaskStatusChanged> runs = changes.stream().filter(ch -> ch.to() == TaskStatus.RUNNING).toList();
            assertThat(fids(runs.get(1))).as(where).doesNotContainAnyElementsOf(fids(runs.get(0)));
        }
        status.stop();
    }

    private static Map<String, List<InstanceStatusHistory.Event>> history(String projectFid) {
        Map<String, List<InstanceStatusHistory.Event>> out = new LinkedHashMap<>();
        HistoryQuery query = HistoryQuery.forProject(projectFid).withWindow(Instant.now().minusSeconds(3600), null)
                .withLimit(100);
        while (query != null) {
            var page = mithril.instanceStatusHistoryPage(query).await().atMost(Duration.ofSeconds(30));
            page.data().forEach(h -> out.put(h.instanceFid(), h.events()));
            query = page.hasNext() ? query.withNextCursor(page.nextCursor()) : null;
        }
        return out;
    }

    private static List<Instant> times(Map<String, List<InstanceStatusHistory.Event>> history, Set<String> instances,
                                       InstanceStatus status) {
        return instances.stream().flatMap(i -> history.getOrDefault(i, List.of()).stream())
                .filter(e -> e.status() == status).map(InstanceStatusHistory.Event::timestamp).sorted().toList();
    }

    private static Set<String> fids(TaskStatusChanged change) {
        return change.instances().stream().map(InstanceInfo::fid).collect(Collectors.toSet());
    }
}
