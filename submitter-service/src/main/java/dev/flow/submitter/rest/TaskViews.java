package dev.flow.submitter.rest;

import dev.flow.model.event.InstanceInfo;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.task.TaskConfig;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.submitter.service.TaskStore;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read model row → the seed's Task JSON. */
final class TaskViews {

    static final String SSH_USER = "ubuntu";
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
    private static final BigDecimal MILLIS_PER_HOUR = BigDecimal.valueOf(3_600_000);

    private TaskViews() {
    }

    static TaskView of(TaskEntity t, Instant now) {
        TaskStatus status = TaskStatus.parse(t.status);
        TaskConfig config = dev.flow.submitter.service.TaskViewsSupport.config(t);
        List<String> instances = TaskStore.instancesOf(t).stream()
                .sorted(Comparator.comparingInt(InstanceInfo::node)).map(InstanceInfo::fid).toList();
        BigDecimal perInstance = t.pricePerHour != null ? t.pricePerHour : t.limitPrice;
        Money hourly = perInstance == null ? null : Money.of(perInstance).times(t.numInstances);
        String totalCost = null;
        if (t.totalCost != null) {
            // the cost-accountant's ledger (TaskCostUpdated); while running, carried forward at its rate to now
            Money total = Money.of(t.totalCost);
            if (status == TaskStatus.RUNNING && t.costPerHour != null && t.costAt != null && now.isAfter(t.costAt)) {
                total = total.plus(Money.of(t.costPerHour).times(BigDecimal.valueOf(
                        Duration.between(t.costAt, now).toMillis()).divide(MILLIS_PER_HOUR, 10,
                        java.math.RoundingMode.HALF_EVEN)));
            }
            totalCost = total.toString();
        } else if (t.startedAt != null && hourly != null) {
            // until the first TaskCostUpdated: the SDK's estimate
            Instant end = t.completedAt != null ? t.completedAt : now;
            long seconds = Math.max(0, Duration.between(t.startedAt, end).toSeconds());
            totalCost = hourly.times(BigDecimal.valueOf(seconds).divide(SECONDS_PER_HOUR, 8,
                    java.math.RoundingMode.HALF_EVEN)).toString();
        }
        int sshPort = t.sshPort != null ? t.sshPort : 22;
        String sshCommand = t.sshHost == null ? null
                : "ssh " + (sshPort == 22 ? "" : "-p " + sshPort + " ") + SSH_USER + "@" + t.sshHost;
        Map<String, String> endpoints = new LinkedHashMap<>();
        if (t.sshHost != null && config != null) {
            config.ports().forEach(p -> endpoints.put("port-" + p, "http://" + t.sshHost + ":" + p));
        }
        return new TaskView(t.id, t.name, t.project, status, t.reason, t.message, t.createdAt, t.startedAt,
                t.completedAt, t.instanceType != null ? t.instanceType : t.instanceTypeName, t.instanceTypeName,
                t.numInstances, t.region, instances, hourly == null ? null : hourly.toString(),
                t.limitPrice == null ? null : Money.of(t.limitPrice).toString(), totalCost, t.sshHost, sshPort,
                SSH_USER, sshCommand, endpoints, t.bidName, t.bidFid, t.restartCount, t.cancelRequestedAt != null,
                config);
    }
}
