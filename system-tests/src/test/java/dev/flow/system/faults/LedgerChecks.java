package dev.flow.system.faults;

import static io.restassured.RestAssured.given;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.devstack.local.LocalStack;
import dev.flow.system.faults.MithrilTruth.Bid;
import dev.flow.system.faults.Workload.Task;
import io.restassured.response.Response;

/**
 * The ledger's two promises: each task's ledger equals what Mithril billed (its pricing history), and equals what a
 * cost-accountant rebuilding from scratch (an empty database, the status topic from its first offset) arrives at.
 * Both are read through the accountant's own task cost API, as a user reads them.
 */
final class LedgerChecks {

    /** Reconciliation runs every 2 s in the suite; a rebuild reads the whole topic first. */
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final Duration REPLAY_PATIENCE = Duration.ofMinutes(3);
    private static final BigDecimal MICRO_DOLLAR = new BigDecimal("0.00001");

    private final LocalStack stack;
    private final MithrilTruth truth;

    LedgerChecks(LocalStack stack, MithrilTruth truth) {
        this.stack = stack;
        this.truth = truth;
    }

    /** Waits until every task's ledger stopped moving (reconciled with Mithril), then compares. */
    List<String> agreesWithMithril(Invariants invariants, List<Task> tasks, Map<String, List<Bid>> bidsByTask) {
        Map<String, BigDecimal> billed = new HashMap<>();
        Instant now = Instant.now();
        for (Task task : tasks) {
            BigDecimal sum = BigDecimal.ZERO;
            for (Bid bid : bidsByTask.getOrDefault(task.id(), List.of())) {
                sum = sum.add(truth.billed(bid.fid(), now));
            }
            billed.put(task.id(), sum);
        }
        Map<String, BigDecimal> ledger = new ConcurrentHashMap<>();
        String accountant = stack.service("cost-accountant").orElseThrow().baseUrl();
        // the accountant reconciles every 2 s: wait until each ledger equals the billing or the patience ends
        untilAllOrPatience(tasks, PATIENCE, task -> {
            JsonNode cost = cost(accountant, task.id());
            if (cost == null || !cost.path("total_cost_exact").isTextual()) {
                return false;
            }
            BigDecimal total = dollars(cost.path("total_cost_exact"));
            ledger.put(task.id(), total);
            return total.subtract(billed.get(task.id())).abs().compareTo(MICRO_DOLLAR) <= 0;
        });
        return invariants.ledger(ledger, billed);
    }

    /**
     * Starts a second cost-accountant on an empty database of its own, its status consumer in a group of its own, so
     * it rebuilds the ledger from the first offset of {@code flow.task.status}; then every task's estimate (the
     * ledger the events give) and total (reconciled with Mithril) must equal the live accountant's.
     */
    List<String> agreesWithAReplayFromScratch(Invariants invariants, List<Task> tasks) {
        long started = System.nanoTime();
        try (QuarkusAppProcess replay = stack.startFromScratch("cost-accountant", "cost-accountant-replay",
                Map.of("mp.messaging.incoming.task-status.group.id", "flow-cost-accountant-replay"))) {
            String live = stack.service("cost-accountant").orElseThrow().baseUrl();
            Map<String, String> seenLive = new ConcurrentHashMap<>();
            Map<String, String> seenReplayed = new ConcurrentHashMap<>();
            List<Task> open = untilAllOrPatience(tasks, REPLAY_PATIENCE, task -> {
                String a = figures(cost(live, task.id()));
                String b = figures(cost(replay.baseUrl(), task.id()));
                seenLive.put(task.id(), a == null ? "no answer" : a);
                seenReplayed.put(task.id(), b == null ? "not known yet" : b);
                // a task neither accountant knows (no status event: failed at submission) is the same nothing
                return java.util.Objects.equals(a, b);
            });
            invariants.figures.put("ledger replayed from scratch", (tasks.size() - open.size()) + " of "
                    + tasks.size() + " tasks equal, " + Duration.ofNanos(System.nanoTime() - started).toSeconds()
                    + " s (start included)");
            return open.stream().map(t -> t.id() + " (" + t.kind() + "): live " + seenLive.get(t.id())
                    + ", replayed " + seenReplayed.get(t.id())).toList();
        }
    }

    /** The task's ledger as one comparable text: estimate and total, exact. */
    private static String figures(JsonNode cost) {
        if (cost == null || !cost.path("total_cost_exact").isTextual()) {
            return null;
        }
        return "estimated " + cost.path("estimated_cost_exact").asText() + ", total "
                + cost.path("total_cost_exact").asText();
    }

    /** {@code GET /v1/costs/tasks/{id}}; null while the accountant does not know the task (404) or cannot answer. */
    private JsonNode cost(String baseUrl, String taskId) {
        Response response = Workload.callThroughFaults("ledger " + taskId,
                () -> given().auth().oauth2(stack.devToken()).get(baseUrl + "/v1/costs/tasks/" + taskId));
        return response.statusCode() == 200 ? MithrilTruth.readJson(response.asString()) : null;
    }

    private static BigDecimal dollars(JsonNode exact) {
        return new BigDecimal(exact.asText().replace("$", ""));
    }

    /** Checks each task until it holds or the patience ends, every 2 s; returns those that never held. */
    private static List<Task> untilAllOrPatience(List<Task> tasks, Duration patience, Function<Task, Boolean> holds) {
        long deadline = System.nanoTime() + patience.toNanos();
        List<Task> open = new ArrayList<>(tasks);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            open.removeIf(holds::apply);
            if (!open.isEmpty()) {
                LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
            }
        }
        return open;
    }
}
