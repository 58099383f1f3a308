package dev.flow.model.event;

import dev.flow.model.money.Money;
import dev.flow.model.task.TaskConfig;

import java.time.Instant;
import java.util.Objects;

/**
 * The submitter accepted a task.
 *
 * @param instanceType the requested instance type as canonical text ({@code "4xa100"}, or the FID), null when
 *                     chosen by {@code min_gpu_memory_gb}
 * @param limitPrice   the bid's limit price per instance-hour
 * @param config       the submitted configuration, always {@linkplain TaskConfig#redacted() redacted} (env values are
 *                     replaced by {@code ***} here, whatever the caller passes)
 */
@EventType("dev.flow.task.submitted.v1")
public record TaskSubmitted(String taskId, String project, String name, String instanceType, int numInstances,
                            String region, Money limitPrice, TaskConfig config, Instant at)
        implements TaskLifecycleEvent {

    public TaskSubmitted {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(at, "at");
        config = config == null ? null : config.redacted();
    }

    @Override
    public String key() {
        return taskId;
    }

    @Override
    public Instant time() {
        return at;
    }
}
