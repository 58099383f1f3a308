package dev.flow.submitter.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.task.TaskConfig;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The seed's {@code Task} as JSON (snake_case). Money is a {@code "$x.xx"} string; {@code config} is redacted
 * (env values are {@code ***}).
 *
 * @param costPerHour what the whole task pays per hour now: the price paid per instance-hour × the nodes being billed
 *                    (running, or in a preemption notice); {@code $0.00} while pending and once ended
 * @param totalCost   the cost-accountant's ledger total (its {@code TaskCostUpdated}), carried forward at its rate
 *                    while the task is billed; before the first update, the running time at the price paid; null
 *                    before the task ran
 * @param instances   Mithril instance fids, node order
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "Task", description = "A task as the Flow SDK's Task")
public record TaskView(
        String taskId,
        String name,
        String project,
        TaskStatus status,
        @Schema(nullable = true) String reason,
        @Schema(nullable = true) String message,
        Instant createdAt,
        @Schema(nullable = true) Instant startedAt,
        @Schema(nullable = true) Instant completedAt,
        @Schema(nullable = true) String instanceType,
        @Schema(nullable = true) String instanceTypeName,
        int numInstances,
        @Schema(nullable = true) String region,
        List<String> instances,
        @Schema(nullable = true) String costPerHour,
        @Schema(nullable = true) String limitPrice,
        @Schema(nullable = true) String totalCost,
        @Schema(nullable = true) String sshHost,
        int sshPort,
        String sshUser,
        @Schema(nullable = true) String sshCommand,
        Map<String, String> endpoints,
        @Schema(nullable = true) String bidName,
        @Schema(nullable = true) String bidFid,
        int restartCount,
        boolean cancelRequested,
        TaskConfig config) {

    @JsonProperty("is_running")
    public boolean isRunning() {
        return status == TaskStatus.RUNNING;
    }

    @JsonProperty("is_terminal")
    public boolean isTerminal() {
        return status.isTerminal();
    }
}
