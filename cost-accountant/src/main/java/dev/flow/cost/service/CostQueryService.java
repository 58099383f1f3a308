package dev.flow.cost.service;

import java.time.Instant;
import java.util.List;

import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.repository.ConsumedEventRepository;
import dev.flow.cost.repository.CostIntervalRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the ledger. Amounts are computed by the callers from the intervals (see {@code Accrual}). */
@ApplicationScoped
public class CostQueryService {

    /** A task's intervals; {@code project} is null when the accountant never saw the task. */
    public record TaskLedger(String taskId, String project, List<CostInterval> intervals) {
    }

    private final CostIntervalRepository intervals;
    private final ConsumedEventRepository consumed;

    public CostQueryService(CostIntervalRepository intervals, ConsumedEventRepository consumed) {
        this.intervals = intervals;
        this.consumed = consumed;
    }

    @WithSession
    public Uni<TaskLedger> task(String taskId) {
        return intervals.ofTask(taskId).flatMap(rows -> rows.isEmpty()
                ? consumed.projectOfTask(taskId).map(project -> new TaskLedger(taskId, project, rows))
                : Uni.createFrom().item(new TaskLedger(taskId, rows.getFirst().project, rows)));
    }

    @WithSession
    public Uni<List<CostInterval>> project(String project, Instant from, Instant to) {
        return intervals.ofProjectBetween(project, from, to);
    }

    @WithSession
    public Uni<List<CostInterval>> running() {
        return intervals.allOpen();
    }
}
