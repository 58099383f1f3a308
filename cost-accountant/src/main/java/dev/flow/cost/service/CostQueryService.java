package dev.flow.cost.service;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.domain.InstanceReconciliation;
import dev.flow.cost.repository.ConsumedEventRepository;
import dev.flow.cost.repository.CostIntervalRepository;
import dev.flow.cost.repository.VolumeCostRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the ledger. Amounts are computed by the callers from the intervals (see {@code Accrual}). */
@ApplicationScoped
public class CostQueryService {

    /** A task's intervals; {@code project} is null when the accountant never saw the task. */
    public record TaskLedger(String taskId, String project, List<CostInterval> intervals,
                             List<CostInterval> statusIntervals, List<InstanceReconciliation> reconciliations) {
    }

    private final CostIntervalRepository intervals;
    private final ConsumedEventRepository consumed;
    private final CostLines lines;
    private final VolumeCostRepository volumes;

    public CostQueryService(CostIntervalRepository intervals, ConsumedEventRepository consumed, CostLines lines,
                            VolumeCostRepository volumes) {
        this.intervals = intervals;
        this.consumed = consumed;
        this.lines = lines;
        this.volumes = volumes;
    }

    @WithSession
    public Uni<TaskLedger> task(String taskId) {
        return tasks(List.of(taskId)).map(List::getFirst);
    }

    /**
     * The ledger of each of these tasks, in their order: three statements for all of them, plus one per task with no
     * interval yet (its project comes from the events consumed).
     */
    @WithSession
    public Uni<List<TaskLedger>> tasks(Collection<String> taskIds) {
        return lines.ofTasks(taskIds).flatMap(byTask -> Multi.createFrom().iterable(byTask.entrySet())
                .onItem().transformToUniAndConcatenate(entry -> ledger(entry.getKey(), entry.getValue()))
                .collect().asList());
    }

    private Uni<TaskLedger> ledger(String taskId, CostLines.TaskLines task) {
        return task.statusIntervals().isEmpty()
                ? consumed.projectOfTask(taskId).map(project -> new TaskLedger(taskId, project, task.lines(),
                        task.statusIntervals(), task.reconciliations()))
                : Uni.createFrom().item(new TaskLedger(taskId, task.statusIntervals().getFirst().project, task.lines(),
                        task.statusIntervals(), task.reconciliations()));
    }

    @WithSession
    public Uni<List<CostInterval>> project(String project, Instant from, Instant to) {
        return lines.ofProjectBetween(project, from, to);
    }

    /** Projects with a running interval or one that ended since {@code since}. */
    @WithSession
    public Uni<List<String>> projectsActiveSince(Instant since) {
        return intervals.projectsActiveSince(since).flatMap(compute -> volumes.projectsActiveSince(since)
                .map(storage -> java.util.stream.Stream.concat(compute.stream(), storage.stream()).distinct().sorted()
                        .toList()));
    }

    @WithSession
    public Uni<List<CostInterval>> running() {
        return intervals.allOpen();
    }
}
