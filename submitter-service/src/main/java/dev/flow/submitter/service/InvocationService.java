package dev.flow.submitter.service;

import dev.flow.service.vertx.VertxContexts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.json.FlowJson;
import dev.flow.model.status.TaskStatus;
import dev.flow.submitter.config.ExecConfig;
import dev.flow.submitter.domain.InvocationEntity;
import dev.flow.submitter.domain.TaskEntity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * The seed's {@code invoke}: an invocation is a normal task (same validation, placement, idempotency, cancel) whose
 * command is {@link InvocationRunner}; the module source and the JSON arguments travel as env values. Its result is
 * read back from the task's output ({@code InvocationResultConsumer}) and kept here.
 */
@ApplicationScoped
public class InvocationService {

    public static final String ID_PREFIX = "inv-";
    /** The image when the request names none: the runner needs python3 (the task default, ubuntu, has none). */
    public static final String DEFAULT_IMAGE = "python:3.12-slim";
    /** Idempotency keys of invocations live in the tasks' key space under this prefix, apart from task keys. */
    static final String KEY_PREFIX = "invoke:";
    private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,99}$");
    private static final Pattern DOTTED = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*){0,9}$");
    private static final Pattern ID = Pattern.compile("^inv-[0-9a-z]{16}$");

    /** What a caller asked for (the REST body, fields as sent). */
    public record Call(String moduleSource, String moduleName, String function, JsonNode args, JsonNode kwargs,
                       String gpu, JsonNode instanceType, JsonNode minGpuMemoryGb, JsonNode maxPricePerHour,
                       JsonNode maxRunTimeHours, JsonNode region, JsonNode name, JsonNode env, JsonNode sshKeys,
                       JsonNode image, JsonNode volumes) {
    }

    /** An invocation as its caller sees it. */
    public record View(InvocationEntity invocation, TaskEntity task, String status, JsonNode result, JsonNode error) {
    }

    /** A submission's result: the invocation and whether this request created it (false: a key replay). */
    public record Submission(View view, boolean created) {
    }

    private final TaskService tasks;
    private final InvocationStore store;
    private final ExecConfig config;

    public InvocationService(TaskService tasks, InvocationStore store, ExecConfig config) {
        this.tasks = tasks;
        this.store = store;
        this.config = config;
    }

    public static String invocationIdOf(String taskId) {
        return ID_PREFIX + taskId.substring(TaskIds.PREFIX.length());
    }

    public Uni<Submission> submit(Call call, String project, String caller, String idempotencyKey) {
        String taskJson = taskConfig(call).toString();
        String moduleName = call.moduleName() == null ? "module" : call.moduleName();
        Executor context = VertxContexts.current();
        return tasks.submit(taskJson, project, caller, idempotencyKey == null ? null : KEY_PREFIX + idempotencyKey)
                .onFailure(ValidationError.class).transform(e -> inInvocationTerms((ValidationError) e, idempotencyKey))
                .chain(submission -> {
                    TaskEntity task = submission.task();
                    InvocationEntity invocation = new InvocationEntity();
                    invocation.id = invocationIdOf(task.id);
                    invocation.taskId = task.id;
                    invocation.project = task.project;
                    invocation.createdBy = caller;
                    invocation.moduleName = moduleName;
                    invocation.functionName = call.function();
                    invocation.createdAt = task.createdAt;
                    invocation.updatedAt = Instant.now();
                    return VertxContexts.backTo(context, Uni.createFrom().item(invocation))
                            .chain(store::insertIfAbsent)
                            .map(saved -> new Submission(view(saved, task, Instant.now()), submission.created()));
                });
    }

    public Uni<View> get(String id, Collection<String> visibleProjects) {
        if (id == null || !ID.matcher(id).matches()) {
            return Uni.createFrom().failure(new ResourceNotFoundError("invocation " + id + " not found"));
        }
        return store.find(id).chain(invocation -> {
            if (invocation == null || !visibleProjects.contains(invocation.project)) {
                return Uni.createFrom().failure(new ResourceNotFoundError("invocation " + id + " not found"));
            }
            return tasks.get(invocation.taskId, visibleProjects).map(task -> view(invocation, task, Instant.now()));
        });
    }

    /**
     * The caller's status: the outcome once the result line was read; before that the task's state. A task that
     * ended without a result line is reported {@code failed} once {@code result-grace} passed (the line may still be
     * in flight behind the status event until then).
     */
    View view(InvocationEntity invocation, TaskEntity task, Instant now) {
        JsonNode result = invocation.resultJson == null ? null : readTree(invocation.resultJson);
        JsonNode error = invocation.errorJson == null ? null : readTree(invocation.errorJson);
        if (invocation.outcome != null) {
            return new View(invocation, task, invocation.outcome, result, error);
        }
        TaskStatus status = TaskStatus.parse(task.status);
        if (status == TaskStatus.PENDING) {
            return new View(invocation, task, "pending", null, null);
        }
        if (!status.isTerminal()) {
            return new View(invocation, task, "running", null, null);
        }
        Instant ended = task.completedAt != null ? task.completedAt : task.updatedAt;
        if (ended != null && ended.plus(config.invocations().resultGrace()).isAfter(now)) {
            return new View(invocation, task, "running", null, null);
        }
        ObjectNode missing = JsonNodeFactory.instance.objectNode()
                .put("type", "NoResult")
                .put("message", "task " + task.id + " ended " + status.json()
                        + (task.reason == null ? "" : " (" + task.reason + ")") + " without a result line")
                .putNull("traceback");
        return new View(invocation, task, "failed", null, missing);
    }

    /** The TaskConfig JSON of an invocation's task. */
    ObjectNode taskConfig(Call call) {
        List<FieldError> errors = new ArrayList<>();
        if (call.moduleSource() == null || call.moduleSource().isBlank()) {
            errors.add(new FieldError("module_source", "is required: the Python module's source",
                    "def fit(x):\\n    return x * 2"));
        } else {
            int bytes = call.moduleSource().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > config.invocations().maxModuleSourceBytes()) {
                errors.add(new FieldError("module_source", "is " + bytes + " bytes; at most "
                        + config.invocations().maxModuleSourceBytes() + " are accepted",
                        "ship large code in the image or a volume and invoke a small entry module"));
            } else if (call.moduleSource().indexOf('\0') >= 0) {
                errors.add(FieldError.of("module_source", "must not contain NUL characters"));
            }
        }
        if (call.moduleName() != null && !IDENTIFIER.matcher(call.moduleName()).matches()) {
            errors.add(new FieldError("module_name", "must be a Python identifier (letters, digits, underscores, "
                    + "not starting with a digit)", "train"));
        }
        if (call.function() == null || call.function().isBlank()) {
            errors.add(new FieldError("function", "is required", "fit"));
        } else if (!DOTTED.matcher(call.function()).matches()) {
            errors.add(new FieldError("function", "must be a Python identifier, or identifiers joined by dots "
                    + "(Class.method)", "fit"));
        }
        if (call.args() != null && !call.args().isArray()) {
            errors.add(new FieldError("args", "must be a JSON array", "[1, \"two\"]"));
        }
        if (call.kwargs() != null && !call.kwargs().isObject()) {
            errors.add(new FieldError("kwargs", "must be a JSON object", "{\"epochs\": 3}"));
        }
        if (call.gpu() != null && call.instanceType() != null) {
            errors.add(new FieldError("gpu", "gpu and instance_type name the same thing: give one", null));
        }
        if (call.env() != null && call.env().isObject()) {
            for (Iterator<String> it = call.env().fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (key.startsWith("FLOW_INVOKE_")) {
                    errors.add(FieldError.of("env." + key, "FLOW_INVOKE_* variables are set by the platform"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        ObjectNode callJson = JsonNodeFactory.instance.objectNode();
        callJson.set("args", call.args() == null ? JsonNodeFactory.instance.arrayNode() : call.args());
        callJson.set("kwargs", call.kwargs() == null ? JsonNodeFactory.instance.objectNode() : call.kwargs());

        ObjectNode task = JsonNodeFactory.instance.objectNode();
        task.set("name", call.name() != null ? call.name()
                : JsonNodeFactory.instance.textNode(defaultName(call.function())));
        task.put("command", InvocationRunner.COMMAND);
        task.set("image", call.image() != null ? call.image() : JsonNodeFactory.instance.textNode(DEFAULT_IMAGE));
        if (call.gpu() != null) {
            task.put("instance_type", call.gpu());
        }
        Map.of("instance_type", nullable(call.instanceType()), "min_gpu_memory_gb", nullable(call.minGpuMemoryGb()),
                        "max_price_per_hour", nullable(call.maxPricePerHour()),
                        "max_run_time_hours", nullable(call.maxRunTimeHours()), "region", nullable(call.region()),
                        "ssh_keys", nullable(call.sshKeys()), "volumes", nullable(call.volumes()))
                .entrySet().stream().sorted(Map.Entry.comparingByKey())
                .filter(e -> !e.getValue().isMissingNode())
                .forEach(e -> task.set(e.getKey(), e.getValue()));
        ObjectNode env = JsonNodeFactory.instance.objectNode();
        if (call.env() != null) {
            if (!call.env().isObject()) {
                task.set("env", call.env()); // the task's own rules report it on `env`
            } else {
                env.setAll((ObjectNode) call.env());
            }
        }
        if (call.env() == null || call.env().isObject()) {
            env.put(InvocationRunner.ENV_MODULE, call.moduleName() == null ? "module" : call.moduleName());
            env.put(InvocationRunner.ENV_FUNCTION, call.function());
            env.put(InvocationRunner.ENV_SOURCE, call.moduleSource());
            env.put(InvocationRunner.ENV_CALL, callJson.toString());
            task.set("env", env);
        }
        return task;
    }

    private static JsonNode nullable(JsonNode node) {
        return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
    }

    /** {@code invoke-<function>} within TaskConfig's name rules. */
    private static String defaultName(String function) {
        String name = "invoke-" + function.replaceAll("[^A-Za-z0-9_-]", "-");
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    /**
     * The task's errors in the invocation's words: the startup script's size limit is about the module and the
     * arguments (the runner is the command), and a reused key names the key as the caller sent it.
     */
    private static ValidationError inInvocationTerms(ValidationError e, String idempotencyKey) {
        List<FieldError> fields = e.errors().stream().map(f -> switch (f.field()) {
            case "command" -> new FieldError("module_source", "the module source and the arguments make a "
                    + "startup script over Mithril's limit even compressed (" + f.reason() + ")",
                    "ship large code and data in the image or a volume and invoke a small entry module");
            case "Idempotency-Key" -> new FieldError("Idempotency-Key", "was already used for another invocation "
                    + "with a different request body; a retry must send the same body",
                    "use a new Idempotency-Key for a new invocation");
            default -> f;
        }).toList();
        if (fields.equals(e.errors())) {
            return e;
        }
        String message = fields.stream().anyMatch(f -> f.field().equals("Idempotency-Key"))
                ? "Idempotency-Key " + idempotencyKey + " was already used with a different request body"
                : e.getMessage();
        return new ValidationError(message, fields, e.suggestions());
    }

    private static JsonNode readTree(String json) {
        try {
            return FlowJson.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
