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

    /** Statuses in which Mithril bills the task's instances (through a preemption notice too). */
    private static boolean billed(TaskStatus status) {
        return status == TaskStatus.RUNNING || status == TaskStatus.PREEMPTING;
    }

    /**
     * What the task pays per hour now: the price paid per instance-hour (the poller's, from Mithril's spot price)
     * times the nodes being billed (running, or running out a preemption notice); $0.00 while pending or paused and
     * once the task has ended. Never the limit price: that is {@code limit_price}.
     */
    static Money paidPerHour(TaskEntity t, TaskStatus status) {
        if (!billed(status) || t.pricePerHour == null) {
            return Money.ZERO;
        }
        long nodes = TaskStore.instancesOf(t).stream().filter(i -> BILLED_INSTANCE_STATES.contains(i.status()))
                .map(InstanceInfo::node).distinct().count();
        return Money.of(t.pricePerHour).times(nodes);
    }

    private static final java.util.Set<String> BILLED_INSTANCE_STATES =
            java.util.Set.of("STATUS_RUNNING", "STATUS_PREEMPTING");

    static TaskView of(TaskEntity t, Instant now) {
        TaskStatus status = TaskStatus.parse(t.status);
        TaskConfig config = dev.flow.submitter.service.TaskViewsSupport.config(t);
        List<String> instances = TaskStore.instancesOf(t).stream()
                .sorted(Comparator.comparingInt(InstanceInfo::node)).map(InstanceInfo::fid).toList();
        Money hourly = paidPerHour(t, status);
        String totalCost = null;
        if (t.totalCost != null) {
            // the cost-accountant's ledger (TaskCostUpdated), carried forward at its rate: while billed to now; once
            // ended, to the end when the last update predates it (the final update, which the accountant sends a
            // moment after the end and again after reconciling, then replaces the carried figure as it is)
            Money total = Money.of(t.totalCost);
            Instant until = billed(status) ? now : status.isTerminal() ? t.completedAt : null;
            if (until != null && t.costPerHour != null && t.costAt != null && until.isAfter(t.costAt)) {
                total = total.plus(Money.of(t.costPerHour).times(BigDecimal.valueOf(
                        Duration.between(t.costAt, until).toMillis()).divide(MILLIS_PER_HOUR, 10,
                        java.math.RoundingMode.HALF_EVEN)));
            }
            totalCost = total.toString();
        } else if (t.startedAt != null && t.pricePerHour != null) {
            // until the first TaskCostUpdated: the running time at the price paid (never the limit)
            Instant end = t.completedAt != null ? t.completedAt : now;
            long seconds = Math.max(0, Duration.between(t.startedAt, end).toSeconds());
            totalCost = Money.of(t.pricePerHour).times(t.numInstances).times(BigDecimal.valueOf(seconds)
                    .divide(SECONDS_PER_HOUR, 8, java.math.RoundingMode.HALF_EVEN)).toString();
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
                t.numInstances, t.region, instances, hourly.toString(),
                t.limitPrice == null ? null : Money.of(t.limitPrice).toString(), totalCost, t.sshHost, sshPort,
                SSH_USER, sshCommand, endpoints, t.bidName, t.bidFid, t.restartCount, t.cancelRequestedAt != null,
                config);
    }
}
