package dev.flow.system.faults;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import dev.flow.model.status.TaskStatus;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The suite's tasks: what each kind runs and how it must end. Every workload line carries a marker ({@code fs-},
 * the task id, the node rank), so the lines of one node can be counted on {@code flow.task.logs} and in the
 * emulator's own container logs alike.
 *
 * <p>Calls to the platform go through faults: a call that gets no answer, a 5xx or a 429 is repeated (a submit with
 * the same {@code Idempotency-Key}, so a repeat never places a second bid) until {@link #PATIENCE} runs out.
 */
final class Workload {

    static final Duration PATIENCE = Duration.ofMinutes(4);
    /** The emulator's type the preemption tasks run on, apart from everyone else's a100s: its price is theirs. */
    static final String PREEMPT_TYPE = "h100-80gb.sxm.1x";

    /** A kind of task and how it must end. */
    enum Kind {
        QUICK(TaskStatus.COMPLETED, "WORKLOAD_EXIT(0)", 1),
        QUICK_FAILING(TaskStatus.FAILED, "WORKLOAD_EXIT(3)", 1),
        LONG(TaskStatus.COMPLETED, "WORKLOAD_EXIT(0)", 1),
        TWO_NODE(TaskStatus.COMPLETED, "WORKLOAD_EXIT(0)", 2),
        CANCELLED(TaskStatus.CANCELLED, "USER_CANCEL", 1),
        PREEMPTED_RETRIED(TaskStatus.COMPLETED, "WORKLOAD_EXIT(0)", 1),
        PREEMPTED_NO_RETRY(TaskStatus.CANCELLED, "USER_CANCEL", 1),
        BUDGET_STOPPED(TaskStatus.CANCELLED, "BUDGET_STOP", 1);

        final TaskStatus status;
        final String reason;
        final int nodes;

        Kind(TaskStatus status, String reason, int nodes) {
            this.status = status;
            this.reason = reason;
            this.nodes = nodes;
        }

        /** Restarts the task must have made: one resubmission after the preemption for the retried kind. */
        int restarts() {
            return this == PREEMPTED_RETRIED ? 1 : 0;
        }
    }

    /** A submitted task. */
    record Task(String id, Kind kind) {
    }

    private final Supplier<String> submitter;
    private final String token;
    private final Path markers;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final List<Task> order = Collections.synchronizedList(new ArrayList<>());
    /** When each stop the suite asked for was accepted: user cancels (the submitter answered 2xx). */
    private final Map<String, Instant> cancelsAccepted = new ConcurrentHashMap<>();
    /**
     * Tasks whose submit was first answered 5xx (Mithril failed without a clear answer): the submitter keeps the
     * task for its reconciler, which adopts the bid if Mithril has it, else fails the task; a retry with the same
     * key returns the task. Such a task may end failed without a bid and without any status event.
     */
    private final java.util.Set<String> uncertain = ConcurrentHashMap.newKeySet();

    /**
     * @param submitter the submitter's base URL (looked up at each call: a restarted service keeps its port, but the
     *                  lookup costs nothing)
     * @param markers   a directory the retried kind's workload marks its first run in (the emulator's workloads are
     *                  local processes)
     */
    Workload(Supplier<String> submitter, String token, Path markers) {
        this.submitter = submitter;
        this.token = token;
        this.markers = markers;
    }

    List<Task> tasks() {
        return List.copyOf(order);
    }

    Task task(String id) {
        return tasks.get(id);
    }

    boolean uncertain(String taskId) {
        return uncertain.contains(taskId);
    }

    java.util.Set<String> uncertainSubmits() {
        return java.util.Set.copyOf(uncertain);
    }

    Map<String, Instant> cancelsAccepted() {
        return Map.copyOf(cancelsAccepted);
    }

    /** Submits one task of the kind; returns once the submitter accepted it. */
    Task submit(Kind kind, int index) {
        String marker = "echo fs-$FLOW_TASK_ID-n$FLOW_NODE_RANK-";
        String lines = marker + "l1; " + marker + "l2; " + marker + "l3";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "fs-" + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-" + index);
        body.put("instance_type", "a100");
        // one limit for every task of the a100 markets, far above their prices: a later bid never outbids an
        // allocated one (equal limits: the allocated bid keeps its place), so only the suite's own preemptions
        // happen. A task the market preempts without a retry policy re-allocates without its startup script (as on
        // Mithril): it would never log, exit or end, and its kind's promise could not be checked
        body.put("max_price_per_hour", 20);
        body.put("num_instances", kind.nodes);
        switch (kind) {
            case QUICK, TWO_NODE -> body.put("command", lines);
            case QUICK_FAILING -> body.put("command", lines + "; exit 3");
            case LONG -> body.put("command", marker + "l1; sleep 20; " + marker + "l2");
            case CANCELLED, BUDGET_STOPPED -> body.put("command", marker + "l1; sleep 600");
            case PREEMPTED_NO_RETRY -> {
                body.put("instance_type", PREEMPT_TYPE);
                body.put("max_price_per_hour", 50);
                body.put("command", marker + "l1; sleep 600");
            }
            case PREEMPTED_RETRIED -> {
                body.put("instance_type", PREEMPT_TYPE);
                body.put("max_price_per_hour", 50);
                body.put("retry", Map.of("on_preemption", true, "max_restarts", 1));
                // the first run is preempted while it sleeps; the run on the resubmitted bid ends at once
                String mark = markers.resolve("$FLOW_TASK_ID").toString();
                body.put("command", "if [ -e " + mark + " ]; then " + marker + "again; exit 0; fi; touch " + mark
                        + "; " + marker + "first; sleep 600");
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        String key = UUID.randomUUID().toString();
        java.util.concurrent.atomic.AtomicBoolean answered5xx = new java.util.concurrent.atomic.AtomicBoolean();
        Response accepted = callThroughFaults("submit " + body.get("name"), () -> {
            Response r = given().auth().oauth2(token).header("Idempotency-Key", key).contentType(ContentType.JSON)
                    .body(body).post(submitter.get() + "/v1/tasks");
            if (r.statusCode() >= 500) {
                answered5xx.set(true);
            }
            return r;
        });
        if (accepted.statusCode() != 201 && accepted.statusCode() != 200) {
            throw new AssertionError("submit " + body.get("name") + " answered " + accepted.statusCode() + ": "
                    + accepted.asString());
        }
        Task task = new Task(accepted.path("task_id"), kind);
        if (answered5xx.get()) {
            uncertain.add(task.id());
        }
        tasks.put(task.id(), task);
        order.add(task);
        return task;
    }

    /** The user cancels the task ({@code DELETE /v1/tasks/{id}}); records when the submitter accepted it. */
    void cancel(Task task) {
        Response answer = callThroughFaults("cancel " + task.id(), () -> given().auth().oauth2(token)
                .delete(submitter.get() + "/v1/tasks/" + task.id()));
        if (answer.statusCode() >= 300) {
            throw new AssertionError("cancel " + task.id() + " answered " + answer.statusCode() + ": "
                    + answer.asString());
        }
        cancelsAccepted.putIfAbsent(task.id(), Instant.now());
    }

    /** The submitter's view of a task. */
    Response view(String taskId) {
        return callThroughFaults("read " + taskId, () -> given().auth().oauth2(token)
                .get(submitter.get() + "/v1/tasks/" + taskId));
    }

    /**
     * Repeats a call while the platform cannot answer it (no connection, 5xx, 429), as a client with retries does;
     * any other answer is returned.
     */
    static Response callThroughFaults(String what, Supplier<Response> call) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = "no attempt";
        while (System.nanoTime() < deadline) {
            try {
                Response response = call.get();
                if (response.statusCode() < 500 && response.statusCode() != 429) {
                    return response;
                }
                last = response.statusCode() + " " + response.asString();
            } catch (Exception e) { // RestAssured throws a ConnectException it does not declare
                last = e.toString();
            }
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
        throw new AssertionError(what + ": no answer within " + PATIENCE + " (last: " + last + ")");
    }
}
