package dev.flow.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.task.TaskConfig;

/**
 * The seed's {@code Flow}: submit and manage GPU workloads on the Flow Platform. Plain Java (JDK HTTP client and
 * Jackson), thread-safe, no framework.
 *
 * <pre>{@code
 * Flow flow = Flow.fromEnvironment();
 * Task task = flow.run("python train.py", RunOptions.instanceType("a100").withMaxPricePerHour("10"));
 * task.logs(true, 100).forEach(System.out::println);
 * task.waitFor(Duration.ofHours(2));
 * }</pre>
 *
 * Errors are the seed's classes from shared-model ({@code ValidationError}, {@code AuthenticationError},
 * {@code ResourceNotFoundError}, {@code InsufficientQuotaError}, {@code TaskExecutionError},
 * {@code FlowTimeoutError} (the seed's TimeoutError), {@code FlowServiceError}), all {@code FlowError}s with
 * {@code suggestions()} read from the services' problem+json answers.
 */
public final class Flow implements AutoCloseable {

    private final FlowHttp http;
    private final StatusWatch watch;

    public Flow(FlowConfig config) {
        this.http = new FlowHttp(Objects.requireNonNull(config, "config"));
        this.watch = new StatusWatch(this);
    }

    /** Configuration from the environment and {@code ~/.flow/config.yaml} ({@link FlowConfig#discover()}). */
    public static Flow fromEnvironment() {
        return new Flow(FlowConfig.discover());
    }

    public FlowConfig config() {
        return http.config();
    }

    FlowHttp http() {
        return http;
    }

    StatusWatch watch() {
        return watch;
    }

    // --- tasks -------------------------------------------------------------------------------------------------

    /** {@code flow.run("python train.py", instance_type="a100", ...)}. */
    public Task run(String command, RunOptions options) {
        return run(options.toConfig(command, config()));
    }

    /** {@code flow.run(config)}: submits the task; the platform validates it before anything is placed. */
    public Task run(TaskConfig config) {
        TaskView view = http.post(config().apiUrl(), "/v1/tasks", projectQuery(), config, TaskView.class);
        return new Task(this, view);
    }

    /** {@code flow.get_task(task_id)}. */
    public Task getTask(String taskId) {
        return new Task(this, fetch(taskId));
    }

    TaskView fetch(String taskId) {
        return http.get(config().apiUrl(), "/v1/tasks/" + FlowHttp.enc(taskId), Map.of(), TaskView.class);
    }

    /** {@code flow.list_tasks(limit)}: the newest first, of the token's projects. */
    public List<Task> listTasks(int limit) {
        return listTasks(limit, List.of());
    }

    /** Only tasks in these statuses ({@code "running"}, {@code "pending"}...); empty means all. */
    public List<Task> listTasks(int limit, List<String> statuses) {
        TaskPage page = http.get(config().apiUrl(), "/v1/tasks", FlowHttp.query("limit", limit,
                "status", statuses.isEmpty() ? null : String.join(",", statuses),
                "project", config().project().orElse(null)), TaskPage.class);
        return page.data().stream().map(v -> new Task(this, v)).toList();
    }

    TaskView cancel(String taskId) {
        return http.delete(config().apiUrl(), "/v1/tasks/" + FlowHttp.enc(taskId), Map.of(), TaskView.class);
    }

    ExecResult exec(String taskId, String command, Integer node, Duration timeout) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", command);
        if (node != null) {
            body.put("node", node);
        }
        if (timeout != null) {
            body.put("timeout_seconds", timeout.toSeconds());
        }
        return http.post(config().apiUrl(), "/v1/tasks/" + FlowHttp.enc(taskId) + "/exec", Map.of(), body,
                ExecResult.class);
    }

    // --- instances and volumes ---------------------------------------------------------------------------------

    /**
     * {@code flow.find_instances(requirements, limit)}: spot offers with capacity now, cheapest first. Keys as the
     * seed: {@code instance_type, min_gpu_count, max_price, region, gpu_memory_gb, gpu_type}.
     */
    public List<InstanceOffer> findInstances(Map<String, ?> requirements, int limit) {
        Map<String, Object> query = new LinkedHashMap<>(requirements);
        query.put("limit", limit);
        return http.get(config().apiUrl(), "/v1/instances", query, http.listOf(InstanceOffer.class));
    }

    /** {@code flow.create_volume(size_gb, name, interface)}; {@code name} may be null (generated). */
    public Volume createVolume(int sizeGb, String name, String volumeInterface) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("size_gb", sizeGb);
        if (name != null) {
            body.put("name", name);
        }
        body.put("interface", volumeInterface == null ? "block" : volumeInterface);
        config().region().ifPresent(r -> body.put("region", r));
        return http.post(config().apiUrl(), "/v1/volumes", projectQuery(), body, Volume.class);
    }

    public Volume createVolume(int sizeGb, String name) {
        return createVolume(sizeGb, name, "block");
    }

    /** {@code flow.delete_volume(volume_id)}: by id or name; a volume a live task uses is a TaskExecutionError. */
    public void deleteVolume(String volumeIdOrName) {
        http.delete(config().apiUrl(), "/v1/volumes/" + FlowHttp.enc(volumeIdOrName), projectQuery(), Void.class);
    }

    public List<Volume> listVolumes(int limit) {
        return http.get(config().apiUrl(), "/v1/volumes", FlowHttp.query("limit", limit,
                "project", config().project().orElse(null)), http.listOf(Volume.class));
    }

    /**
     * {@code flow.mount_volume(volume_id, task_id)}: {@code POST /v1/tasks/{id}/volumes {"volume": ...}}. The
     * submitter does not serve this yet (Mithril cannot attach a volume to a running bid); until it does, this
     * fails with the service's answer.
     */
    public void mountVolume(String volumeIdOrName, String taskId) {
        http.post(config().apiUrl(), "/v1/tasks/" + FlowHttp.enc(taskId) + "/volumes", Map.of(),
                Map.of("volume", volumeIdOrName), Void.class);
    }

    // --- invoke ------------------------------------------------------------------------------------------------

    /**
     * The seed's {@code invoke(module, function, args, kwargs, gpu)}: runs {@code function} of the Python file on a
     * GPU instance and returns its JSON result. A failed call is a TaskExecutionError carrying the remote error.
     */
    public JsonNode invoke(Path module, String function, List<?> args, Map<String, ?> kwargs, String gpu,
                           Duration timeout) {
        String source;
        try {
            source = Files.readString(module);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + module, e);
        }
        String file = module.getFileName().toString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("module_source", source);
        body.put("module_name", file.endsWith(".py") ? file.substring(0, file.length() - 3) : file);
        body.put("function", function);
        body.put("args", args == null ? List.of() : args);
        body.put("kwargs", kwargs == null ? Map.of() : kwargs);
        if (gpu != null) {
            body.put("instance_type", gpu);
        }
        Invocation started = http.post(config().apiUrl(), "/v1/invocations", projectQuery(), body, Invocation.class);
        Invocation done = watch.untilInvocationDone(started.id(), timeout);
        if ("failed".equals(done.status())) {
            throw new TaskExecutionError("invoke " + file + ":" + function + " failed: "
                    + (done.error() == null ? "no error given" : done.error().toString()),
                    List.of("flow logs " + done.taskId() + " shows the task's output"));
        }
        return done.result();
    }

    Invocation invocation(String id) {
        return http.get(config().apiUrl(), "/v1/invocations/" + FlowHttp.enc(id), Map.of(), Invocation.class);
    }

    // --- costs and budgets (cost-accountant) ----------------------------------------------------------------------

    /** The exact cost of one task: {@code GET /v1/costs/tasks/{id}}. */
    public JsonNode taskCost(String taskId) {
        return http.get(config().costUrl(), "/v1/costs/tasks/" + FlowHttp.enc(taskId), Map.of(), JsonNode.class);
    }

    /** A project's cost in {@code [from, to)} (either may be null): {@code GET /v1/costs/projects/{project}}. */
    public JsonNode projectCost(String project, Instant from, Instant to) {
        return http.get(config().costUrl(), "/v1/costs/projects/" + FlowHttp.enc(project),
                FlowHttp.query("from", from, "to", to), JsonNode.class);
    }

    public List<JsonNode> budgets(String project) {
        return http.get(config().costUrl(), "/v1/budgets", FlowHttp.query("project", project),
                http.listOf(JsonNode.class));
    }

    /** Creates or replaces the project's budget for a period (admin). {@code limit} in dollars. */
    public JsonNode setBudget(String project, String period, BigDecimal limit, List<Integer> thresholds,
                              String action) {
        if (limit == null || limit.signum() <= 0) {
            throw ValidationError.of(dev.flow.model.error.FieldError.of("limit", "must be greater than 0"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (project != null) {
            body.put("project", project);
        }
        body.put("period", period);
        body.put("limit", "$" + limit.toPlainString());
        if (thresholds != null && !thresholds.isEmpty()) {
            body.put("thresholds", thresholds);
        }
        if (action != null) {
            body.put("action", action);
        }
        return http.post(config().costUrl(), "/v1/budgets", Map.of(), body, JsonNode.class);
    }

    /** The project this client works in: the configured one, else the token's first (the services decide). */
    private Map<String, Object> projectQuery() {
        return FlowHttp.query("project", config().project().orElse(null));
    }

    static FlowTimeoutError timeout(String what, Duration after, List<String> suggestions) {
        return new FlowTimeoutError(what + " after " + after.toMillis() / 1000.0 + " s", suggestions);
    }

    @Override
    public void close() {
        watch.close();
    }
}
