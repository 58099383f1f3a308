package dev.flow.system.faults;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.devstack.EmbeddedKafkaCluster;
import dev.flow.devstack.EmbeddedPostgresServer;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.devstack.local.LocalStack;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.system.faults.MithrilTruth.Bid;
import dev.flow.system.faults.TopicRecorder.Seen;
import dev.flow.system.faults.Workload.Kind;
import dev.flow.system.faults.Workload.Task;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fault suite (issue 14): the whole platform as processes on a 3-broker Kafka cluster (replication factor 3,
 * {@code min.insync.replicas=2}), a workload of mixed tasks, and during it every fault the platform must survive:
 * a broker killed with SIGKILL and restarted, PostgreSQL stopped and started, each service killed with SIGKILL and
 * restarted, 30 s of Mithril answering 5xx, 429 with {@code Retry-After} and slowly. Once every task ended, the
 * promises are checked against the emulator's own truth and the topics (see {@link Invariants}), and the figures
 * are printed as the table of {@code docs/reliability.md}.
 *
 * <p>{@code -Dflow.faults.tasks=N} sizes the workload (default 300, in the proportions of {@link #MIX}). Part of the
 * default run (CI: about 8 minutes of it); alone: {@code ./mvnw -pl system-tests verify -Dit.test=FaultSuiteIT}.
 */
class FaultSuiteIT {

    /** The poller's interval here: "two poll cycles" is twice this. */
    private static final Duration POLL_CYCLE = Duration.ofSeconds(1);
    private static final Duration END_PATIENCE = Duration.ofMinutes(6);
    private static final Map<String, String> SERVICES = Map.of(
            "flow.poller.interval", POLL_CYCLE.toMillis() + "ms",
            "flow.poller.steady-interval", "5s",
            "flow.poller.unexplained-termination-grace", "3s",
            "flow.poller.orphan-grace", "20s",
            "flow.cost.updates-every", "2s",
            "flow.cost.reconcile-every", "2s",
            "flow.cost.budget-check-every", "1s",
            // a submit whose bid's outcome Mithril left unknown is settled by the reconciler after this grace
            "flow.submitter.reconcile.grace", "20s",
            "flow.submitter.reconcile.interval", "5s");
    /** Tasks of each kind per 100. */
    private static final Map<Kind, Integer> MIX = mix();

    /** The stack's state and every process's log, kept after the run for whoever reads a failure. */
    static Path state;

    private static LocalStack stack;
    private static TopicRecorder topics;
    private static MithrilTruth truth;
    private static Workload workload;
    private static final FaultLog FAULTS = new FaultLog();
    private static final AtomicLong OLDEST_UNSENT_OUTBOX_MS = new AtomicLong();
    private static final AtomicLong OUTBOX_SAMPLES = new AtomicLong();
    private static final AtomicLong OUTBOX_SAMPLES_FAILED = new AtomicLong();

    private static Map<Kind, Integer> mix() {
        Map<Kind, Integer> mix = new LinkedHashMap<>();
        mix.put(Kind.QUICK, 40);
        mix.put(Kind.QUICK_FAILING, 7);
        mix.put(Kind.LONG, 13);
        mix.put(Kind.TWO_NODE, 13);
        mix.put(Kind.CANCELLED, 13);
        mix.put(Kind.PREEMPTED_RETRIED, 5);
        mix.put(Kind.PREEMPTED_NO_RETRY, 5);
        mix.put(Kind.BUDGET_STOPPED, 4);
        return mix;
    }

    @BeforeAll
    static void startPlatform() throws Exception {
        state = QuarkusAppProcess.repoRoot().resolve("system-tests/target/fault-suite");
        if (Files.exists(state)) {
            try (var paths = Files.walk(state)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        stack = LocalStack.start(LocalStack.Settings.forTests(state, SERVICES,
                        Map.of("emulator.instances.preemption-notice", "2s"))
                .withEnv("FLOW_KAFKA_BROKERS", "3"));
        topics = new TopicRecorder(stack.kafkaBootstrapServers());
        truth = new MithrilTruth(stack.emulator().orElseThrow(), stack.project());
        workload = new Workload(() -> service("submitter-service").baseUrl(), stack.devToken(),
                Files.createDirectories(state.resolve("markers")));
    }

    @AfterAll
    static void stopPlatform() {
        if (topics != null) {
            topics.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyPromiseHoldsThroughBrokerDatabaseServiceAndMithrilFaults() throws Exception {
        int size = Integer.getInteger("flow.faults.tasks", 300);
        Map<Kind, Integer> counts = new LinkedHashMap<>();
        MIX.forEach((kind, perHundred) -> counts.put(kind, Math.max(2, perHundred * size / 100)));
        System.out.printf("[faults] workload: %s%n", counts);
        Instant started = Instant.now();

        ExecutorService pool = Executors.newFixedThreadPool(6);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        LivenessProbe liveness = new LivenessProbe(stack, FAULTS);
        try {
            sampler.scheduleWithFixedDelay(FaultSuiteIT::sampleOutbox, 2, 2, TimeUnit.SECONDS);
            Future<?> faults = pool.submit(() -> injectFaults());
            Future<?> preemptions = pool.submit(() -> preemptions(counts.get(Kind.PREEMPTED_RETRIED),
                    counts.get(Kind.PREEMPTED_NO_RETRY)));
            Future<?> cancels = pool.submit(() -> cancelOnceLogged(Kind.CANCELLED, counts.get(Kind.CANCELLED)));
            mainWave(counts);
            faults.get(10, TimeUnit.MINUTES);
            preemptions.get(10, TimeUnit.MINUTES);
            cancels.get(10, TimeUnit.MINUTES);
            awaitAllEnded();
            budgetStops(counts.get(Kind.BUDGET_STOPPED));
            awaitAllEnded();
        } finally {
            liveness.close();
            sampler.shutdownNow();
            pool.shutdownNow();
        }
        Duration workloadTime = Duration.between(started, Instant.now());
        sampleOutbox();
        checkInvariants(workloadTime);
    }

    // ------------------------------------------------------------------------------------------------ workload

    /** Quick, failing, long and 2-node tasks and the ones to cancel, interleaved, spread over the fault window. */
    private static void mainWave(Map<Kind, Integer> counts) {
        List<Kind> order = new ArrayList<>();
        Map<Kind, Integer> left = new LinkedHashMap<>();
        for (Kind kind : List.of(Kind.QUICK, Kind.QUICK_FAILING, Kind.LONG, Kind.TWO_NODE, Kind.CANCELLED)) {
            left.put(kind, counts.get(kind));
        }
        while (left.values().stream().anyMatch(n -> n > 0)) {
            left.replaceAll((kind, n) -> {
                if (n > 0) {
                    order.add(kind);
                }
                return n - 1;
            });
        }
        // about 150 s of submissions for 300 tasks: the faults (about 3 minutes) hit tasks at every stage
        long spacing = Math.max(200, 150_000 / Math.max(1, order.size()));
        for (int i = 0; i < order.size(); i++) {
            workload.submit(order.get(i), i);
            LockSupport.parkNanos(Duration.ofMillis(spacing).toNanos());
        }
    }

    /** Cancels each task of the kind once its first line is on {@code flow.task.logs}: a user who saw it start. */
    private static void cancelOnceLogged(Kind kind, int expected) {
        java.util.Set<String> cancelled = ConcurrentHashMap.newKeySet();
        long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
        java.util.Set<String> settled = ConcurrentHashMap.newKeySet();
        while (settled.size() < expected && System.nanoTime() < deadline) {
            Map<String, List<Seen>> logs = topics.byKey(Topics.TASK_LOGS);
            for (Task task : workload.tasks()) {
                if (task.kind() != kind || settled.contains(task.id())) {
                    continue;
                }
                if (logged(logs, task.id())) {
                    workload.cancel(task);
                    cancelled.add(task.id());
                    settled.add(task.id());
                } else if (ended(task.id())) {
                    settled.add(task.id()); // a submit left uncertain and failed by the reconciler: nothing to cancel
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        assertThat(settled).as("tasks of kind %s cancelled once logged (or failed at submission)", kind)
                .hasSize(expected);
    }

    /**
     * Preemption on the h100s the other tasks do not use: once each task logged its first line, the market rises
     * above their limit; the tasks without retry are cancelled once preempted, the others are resubmitted on a new
     * bid, which runs once the market falls again.
     */
    private static void preemptions(int retried, int noRetry) {
        List<Task> mine = new ArrayList<>();
        for (int i = 0; i < retried; i++) {
            mine.add(workload.submit(Kind.PREEMPTED_RETRIED, i));
        }
        for (int i = 0; i < noRetry; i++) {
            mine.add(workload.submit(Kind.PREEMPTED_NO_RETRY, i));
        }
        awaitCondition("the preemption tasks logged their first line", () -> {
            Map<String, List<Seen>> logs = topics.byKey(Topics.TASK_LOGS);
            return mine.stream().allMatch(t -> logged(logs, t.id()));
        });
        truth.pinPrice(Workload.PREEMPT_TYPE, "$100.00");
        java.util.Set<String> cancelled = new java.util.HashSet<>();
        awaitCondition("every preempted task resubmitted or cancelled", () -> {
            for (Task task : mine) {
                if (task.kind() == Kind.PREEMPTED_NO_RETRY && !cancelled.contains(task.id())
                        && hasStatus(task.id(), c -> c.to() == TaskStatus.PENDING
                        && TransitionReason.PREEMPTED.equals(c.reason()))) {
                    workload.cancel(task);
                    cancelled.add(task.id());
                }
            }
            return cancelled.size() == noRetry && mine.stream().filter(t -> t.kind() == Kind.PREEMPTED_RETRIED)
                    .allMatch(t -> workload.view(t.id()).path("restart_count").equals(1));
        });
        truth.pinPrice(Workload.PREEMPT_TYPE, "$5.00");
    }

    /** Tasks still running when the project's budget is exhausted: each is stopped with BUDGET_STOP. */
    private static void budgetStops(int count) {
        List<Task> mine = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            mine.add(workload.submit(Kind.BUDGET_STOPPED, i));
        }
        awaitCondition("the budget tasks logged their first line", () -> {
            Map<String, List<Seen>> logs = topics.byKey(Topics.TASK_LOGS);
            return mine.stream().allMatch(t -> logged(logs, t.id()));
        });
        // a total budget below what the project already spent: exhausted at the next check
        Response budget = Workload.callThroughFaults("budget", () -> given().auth().oauth2(stack.devToken())
                .contentType(ContentType.JSON)
                .body(Map.of("period", "total", "limit", "$0.01", "action", "stop_tasks"))
                .post(service("cost-accountant").baseUrl() + "/v1/budgets"));
        assertThat(budget.statusCode()).as(budget.asString()).isEqualTo(201);
        awaitCondition("the budget tasks ended", () -> mine.stream().allMatch(t -> ended(t.id())));
        given().auth().oauth2(stack.devToken())
                .delete(service("cost-accountant").baseUrl() + "/v1/budgets/" + budget.path("id"))
                .then().statusCode(204);
    }

    // ------------------------------------------------------------------------------------------------ faults

    private static void injectFaults() {
        try {
            LockSupport.parkNanos(Duration.ofSeconds(15).toNanos());
            brokerFault();
            LockSupport.parkNanos(Duration.ofSeconds(5).toNanos());
            databaseFault();
            for (LocalStack.Service service : LocalStack.SERVICES) {
                LockSupport.parkNanos(Duration.ofSeconds(5).toNanos());
                serviceFault(service.name());
            }
            LockSupport.parkNanos(Duration.ofSeconds(5).toNanos());
            mithrilFault();
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            throw e;
        }
    }

    /** Node 2 of 3 killed with SIGKILL, started again 10 s later; recovered once no partition is under-replicated. */
    private static void brokerFault() {
        EmbeddedKafkaCluster kafka = stack.kafkaCluster().orElseThrow();
        Instant start = Instant.now();
        kafka.kill(2);
        LockSupport.parkNanos(Duration.ofSeconds(10).toNanos());
        kafka.restart(2);
        Instant back = Instant.now();
        awaitCondition("every partition in sync after the broker's restart",
                () -> kafka.underReplicatedPartitions() == 0);
        FAULTS.add("Kafka broker SIGKILL + restart", start, back, Duration.between(back, Instant.now()),
                "until no partition under-replicated");
    }

    /**
     * PostgreSQL stopped (fast: clients disconnected) for 10 s; recovered once both its services are ready (a service
     * whose liveness went DOWN meanwhile is restarted by the {@link LivenessProbe}, as in a deployment).
     */
    private static void databaseFault() {
        EmbeddedPostgresServer postgres = (EmbeddedPostgresServer) stack.postgres();
        Instant start = Instant.now();
        postgres.stopKeepingData();
        LockSupport.parkNanos(Duration.ofSeconds(10).toNanos());
        postgres.startAgain();
        Instant back = Instant.now();
        awaitCondition("the database's services ready again", () -> ready("submitter-service")
                && ready("cost-accountant"));
        FAULTS.add("PostgreSQL stop + start", start, back, Duration.between(back, Instant.now()),
                "until submitter and accountant ready");
    }

    private static void serviceFault(String name) {
        Instant start = Instant.now();
        stack.killAndRestartService(name);
        Instant back = Instant.now();
        FAULTS.add(name + " SIGKILL + restart", start, back, Duration.ZERO, "restart to ready");
    }

    /** 30 s of Mithril failing a quarter of the calls with 503, a quarter with 429 + Retry-After, the rest slowly. */
    private static void mithrilFault() {
        MithrilEmulator emulator = stack.emulator().orElseThrow();
        Instant start = Instant.now();
        emulator.admin("POST", "/_emulator/faults",
                "{\"path_pattern\":\"/v2/**\",\"status\":503,\"rate\":0.25,\"latency_ms\":0}");
        emulator.admin("POST", "/_emulator/faults",
                "{\"path_pattern\":\"/v2/**\",\"status\":429,\"retry_after_seconds\":1,\"rate\":0.33,"
                        + "\"latency_ms\":0}");
        emulator.admin("POST", "/_emulator/faults",
                "{\"path_pattern\":\"/v2/**\",\"status\":null,\"latency_ms\":400,\"rate\":1.0}");
        LockSupport.parkNanos(Duration.ofSeconds(30).toNanos());
        String fired = emulator.admin("GET", "/_emulator/faults", null);
        emulator.clearFaults();
        FAULTS.add("Mithril 5xx / 429 / latency, 30 s", start, Instant.now(), null,
                "rules fired: " + MithrilTruth.readJson(fired).findValues("fired"));
    }

    // ------------------------------------------------------------------------------------------------ invariants

    private static void checkInvariants(Duration workloadTime) {
        List<Task> tasks = workload.tasks();
        Map<String, List<Seen>> status = topics.byKey(Topics.TASK_STATUS);
        Invariants invariants = new Invariants(tasks, status, workload.uncertainSubmits());

        Map<String, JsonNode> views = new HashMap<>();
        tasks.forEach(t -> views.put(t.id(), MithrilTruth.readJson(workload.view(t.id()).asString())));
        List<Bid> bids = truth.bids();
        Map<String, List<Bid>> bidsByTask = new HashMap<>();
        for (Bid bid : bids) {
            if (bid.name().startsWith("flow-")) {
                bidsByTask.computeIfAbsent(Invariants.taskIdOf(bid.name()), k -> new ArrayList<>()).add(bid);
            }
        }

        Map<String, List<String>> violations = new LinkedHashMap<>();
        violations.put("a submit answered 5xx without a bid ends failed", invariants.failedSubmissions(views,
                bidsByTask));
        violations.put("terminal status and reason", invariants.terminalStatuses(views));
        violations.put("bids: one per attempt, none live", invariants.bids(bidsByTask, bids));
        violations.put("status transitions complete, in order, repeats keep ce_id", invariants.transitions());
        violations.put("log lines exactly once", invariants.logs(topics.byKey(Topics.TASK_LOGS),
                printedLines(tasks, bidsByTask)));
        LedgerChecks ledger = new LedgerChecks(stack, truth);
        violations.put("ledger = Mithril's billing", ledger.agreesWithMithril(invariants, tasks, bidsByTask));
        violations.put("ledger = a replay from scratch", ledger.agreesWithAReplayFromScratch(invariants, tasks));
        violations.put("stop ends the bid within two poll cycles", invariants.stops(workload.cancelsAccepted(),
                topics.records(Topics.TASK_COMMANDS), bidsByTask, POLL_CYCLE, FAULTS));
        long oldest = OLDEST_UNSENT_OUTBOX_MS.get();
        List<String> outbox = new ArrayList<>();
        if (oldest > 30_000) {
            outbox.add("an unsent outbox row was " + oldest + " ms old");
        }
        // most samples must have read the table: the database is down for 10 s of the run only
        if (OUTBOX_SAMPLES.get() < 3 * OUTBOX_SAMPLES_FAILED.get() || OUTBOX_SAMPLES.get() == 0) {
            outbox.add("the outbox could not be read: " + OUTBOX_SAMPLES.get() + " samples, "
                    + OUTBOX_SAMPLES_FAILED.get() + " failed");
        }
        violations.put("no outbox row older than 30 s", outbox);
        invariants.figures.put("oldest unsent outbox row seen", oldest + " ms (" + OUTBOX_SAMPLES.get()
                + " samples, " + OUTBOX_SAMPLES_FAILED.get() + " while the database was unreachable)");
        invariants.figures.put("tasks", Integer.toString(tasks.size()));
        invariants.figures.put("restarts by the liveness probe", FAULTS.windows().stream()
                .filter(w -> w.fault().endsWith("by its liveness probe")).map(FaultLog.Window::fault).toList()
                .toString());
        invariants.figures.put("workload duration", workloadTime.toSeconds() + " s");

        report(invariants, violations);
        violations.forEach((promise, found) -> assertThat(found).as(promise).isEmpty());
    }

    /** What each node of each task printed, per the emulator: every instance of every bid of the task. */
    private static Map<String, Map<Integer, List<String>>> printedLines(List<Task> tasks,
                                                                        Map<String, List<Bid>> bidsByTask) {
        Map<String, Map<Integer, List<String>>> printed = new HashMap<>();
        for (Task task : tasks) {
            Map<Integer, List<String>> nodes = new HashMap<>();
            for (Bid bid : bidsByTask.getOrDefault(task.id(), List.of())) {
                for (JsonNode instance : truth.instancesOf(bid.fid())) {
                    String name = instance.path("name").asText();
                    int node = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
                    truth.workloadLines(instance.path("fid").asText()).stream().filter(t -> t.startsWith("fs-"))
                            .forEach(t -> nodes.computeIfAbsent(node, n -> new ArrayList<>()).add(t));
                }
            }
            printed.put(task.id(), nodes);
        }
        return printed;
    }

    private static void report(Invariants invariants, Map<String, List<String>> violations) {
        System.out.println("\n[faults] ===== fault suite report =====");
        for (FaultLog.Window w : FAULTS.windows()) {
            System.out.printf("[faults] fault | %s | down %d ms | recovered %s | %s%n", w.fault(),
                    Duration.between(w.start(), w.end()).toMillis(),
                    w.recovery() == null ? "-" : w.recovery().toMillis() + " ms", w.note() == null ? "" : w.note());
        }
        invariants.figures.forEach((k, v) -> System.out.printf("[faults] figure | %s | %s%n", k, v));
        violations.forEach((promise, found) -> {
            System.out.printf("[faults] promise | %s | %s%n", promise, found.isEmpty() ? "kept"
                    : found.size() + " violation(s)");
            found.stream().limit(15).forEach(v -> System.out.println("[faults]     " + v));
        });
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void sampleOutbox() {
        String url = stack.postgres().jdbcUrl("flow_submitter");
        try (Connection db = DriverManager.getConnection(url, stack.postgres().username(),
                stack.postgres().password());
             ResultSet rs = db.createStatement().executeQuery("select coalesce(extract(epoch from "
                     + "max(now() - created_at)) * 1000, 0) from submitter.outbox where sent_at is null "
                     + "and dead_at is null")) {
            rs.next();
            long age = (long) rs.getDouble(1);
            OLDEST_UNSENT_OUTBOX_MS.accumulateAndGet(age, Math::max);
            OUTBOX_SAMPLES.incrementAndGet();
        } catch (SQLException e) {
            // the database is down (the fault): nothing to sample now; counted, so a query that never works shows
            OUTBOX_SAMPLES_FAILED.incrementAndGet();
        }
    }

    private static boolean logged(Map<String, List<Seen>> logs, String taskId) {
        return logs.getOrDefault(taskId, List.of()).stream()
                .anyMatch(s -> s.event() instanceof LogLine line && line.text().startsWith("fs-"));
    }

    private static boolean hasStatus(String taskId, Predicate<TaskStatusChanged> test) {
        return topics.byKey(Topics.TASK_STATUS).getOrDefault(taskId, List.of()).stream()
                .anyMatch(s -> s.event() instanceof TaskStatusChanged c && test.test(c));
    }

    /** Ended on the status topic, or (a submit left uncertain) failed by the submitter's reconciler. */
    private static boolean ended(String taskId) {
        return hasStatus(taskId, c -> c.to().isTerminal()) || (workload.uncertain(taskId)
                && "failed".equals(workload.view(taskId).path("status")));
    }

    private static void awaitAllEnded() {
        awaitCondition("every task ended", () -> workload.tasks().stream().allMatch(t -> ended(t.id())));
    }

    private static void awaitCondition(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + END_PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (Exception | AssertionError e) {
                // a read during a fault: ask again
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        throw new AssertionError("not within " + END_PATIENCE + ": " + what + stuck());
    }

    /** The tasks not ended yet, with their last status event: what a failure message needs. */
    private static String stuck() {
        Map<String, List<Seen>> status = topics.byKey(Topics.TASK_STATUS);
        StringBuilder text = new StringBuilder();
        workload.tasks().stream().filter(t -> !ended(t.id())).limit(20).forEach(t -> {
            List<Seen> seen = status.getOrDefault(t.id(), List.of());
            text.append("\n  ").append(t.id()).append(' ').append(t.kind()).append(": ")
                    .append(seen.isEmpty() ? "no status event" : String.valueOf(seen.getLast().event()));
        });
        return text.toString();
    }

    private static boolean ready(String name) {
        try {
            return given().get(service(name).baseUrl() + "/q/health/ready").statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static QuarkusAppProcess service(String name) {
        return stack.service(name).orElseThrow();
    }
}
