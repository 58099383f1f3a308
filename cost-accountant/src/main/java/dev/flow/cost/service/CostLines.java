package dev.flow.cost.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.domain.InstanceReconciliation;
import dev.flow.cost.domain.PriceSegment;
import dev.flow.cost.config.CostSettings;
import dev.flow.cost.repository.CostIntervalRepository;
import dev.flow.cost.repository.VolumeCostRepository;
import dev.flow.cost.repository.PriceSegmentRepository;
import dev.flow.cost.repository.ReconciliationRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The priced intervals every amount is computed from: the ledger's status-based intervals, except for instances
 * reconciled with Mithril, whose billed segments replace them ("the reconciled amount wins"). Callers run inside a
 * session (or transaction) of their own.
 */
@ApplicationScoped
public class CostLines {

    private static final Comparator<CostInterval> ORDER = Comparator.comparing((CostInterval i) -> i.taskId)
            .thenComparing(i -> i.startedAt).thenComparingInt(i -> i.node).thenComparing(i -> i.instanceFid);

    /** A task's lines, plus its raw status-based intervals and its reconciliation rows (to show the difference). */
    public record TaskLines(List<CostInterval> lines, List<CostInterval> statusIntervals,
                            List<InstanceReconciliation> reconciliations) {
    }

    private final CostIntervalRepository intervals;
    private final PriceSegmentRepository segments;
    private final ReconciliationRepository reconciliations;
    private final VolumeCostRepository volumes;
    private final CostSettings settings;

    public CostLines(CostIntervalRepository intervals, PriceSegmentRepository segments,
                     ReconciliationRepository reconciliations, VolumeCostRepository volumes, CostSettings settings) {
        this.intervals = intervals;
        this.segments = segments;
        this.reconciliations = reconciliations;
        this.volumes = volumes;
        this.settings = settings;
    }

    /**
     * The lines of each of these tasks, in three statements whatever their number (the cost updates after a batch
     * of status events read every task the batch changed). Every task named is in the map, with no lines if it has
     * none.
     */
    public Uni<Map<String, TaskLines>> ofTasks(Collection<String> taskIds) {
        return intervals.ofTasks(taskIds).flatMap(rows -> reconciliations.ofTasks(taskIds)
                .flatMap(recs -> segments.ofTasks(taskIds).map(segs -> {
                    Map<String, List<CostInterval>> rowsOf = byTask(rows, i -> i.taskId);
                    Map<String, List<InstanceReconciliation>> recsOf = byTask(recs, r -> r.taskId);
                    Map<String, List<PriceSegment>> segsOf = byTask(segs, s -> s.taskId);
                    Map<String, TaskLines> lines = new LinkedHashMap<>();
                    for (String taskId : taskIds) {
                        List<CostInterval> taskRows = rowsOf.getOrDefault(taskId, List.of());
                        List<InstanceReconciliation> taskRecs = recsOf.getOrDefault(taskId, List.of());
                        Set<String> reconciled = taskRecs.stream().filter(InstanceReconciliation::isReconciled)
                                .map(r -> r.instanceFid).collect(Collectors.toSet());
                        lines.put(taskId, new TaskLines(merge(taskRows, reconciled,
                                segsOf.getOrDefault(taskId, List.of())), taskRows, taskRecs));
                    }
                    return lines;
                })));
    }

    /** Rows grouped by task, each group in the order the query returned it. */
    private static <T> Map<String, List<T>> byTask(List<T> rows, Function<T, String> taskId) {
        return rows.stream().collect(Collectors.groupingBy(taskId, LinkedHashMap::new, Collectors.toList()));
    }

    /** The project's lines overlapping {@code [from, to)}: its tasks' compute, then its volumes' storage. */
    public Uni<List<CostInterval>> ofProjectBetween(String project, Instant from, Instant to) {
        Uni<List<CostInterval>> compute = intervals.ofProjectBetween(project, from, to).flatMap(rows -> reconciliations
                .reconciledAmong(rows.stream().map(i -> i.instanceFid).collect(Collectors.toSet()))
                .flatMap(recs -> segments.ofProjectBetween(project, from, to).map(segs -> merge(rows,
                        recs.stream().map(r -> r.instanceFid).collect(Collectors.toSet()), segs))));
        return compute.flatMap(lines -> volumes.ofProjectBetween(project, from, to).map(vols -> {
            if (vols.isEmpty()) {
                return lines;
            }
            List<CostInterval> all = new ArrayList<>(lines);
            vols.forEach(v -> all.add(v.asLine(settings.volumePricePerGbMonth())));
            return all;
        }));
    }

    private static List<CostInterval> merge(List<CostInterval> rows, Set<String> reconciled, List<PriceSegment> segs) {
        if (reconciled.isEmpty() && segs.isEmpty()) {
            return rows;
        }
        List<CostInterval> lines = new ArrayList<>();
        rows.stream().filter(i -> !reconciled.contains(i.instanceFid)).forEach(lines::add);
        segs.stream().map(PriceSegment::asInterval).forEach(lines::add);
        lines.sort(ORDER);
        return lines;
    }
}
