package dev.flow.cost.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.flow.cost.domain.ConsumedEvent;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.domain.LedgerPlanner;
import dev.flow.cost.domain.LedgerPlanner.Billable;
import dev.flow.cost.domain.LedgerPlanner.Plan;
import dev.flow.cost.repository.ConsumedEventRepository;
import dev.flow.cost.repository.CostIntervalRepository;
import dev.flow.cost.repository.PriceSegmentRepository;
import dev.flow.cost.repository.ReconciliationRepository;
import dev.flow.model.event.TaskStatusChanged;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Applies status events to the ledger, each exactly once in effect: the events' {@link ConsumedEvent} rows and the
 * interval rows they open or close are written in one transaction, and an event whose row exists changes nothing.
 * A batch (what one Kafka poll returned) is one transaction: its event ids and its tasks' intervals are read with one
 * query each, the events are planned in order in memory, and the rows go out at a few flushes — rather than a
 * transaction and ~8 round trips per event.
 */
@ApplicationScoped
public class LedgerService {

    private static final Logger LOG = Logger.getLogger(LedgerService.class);

    /** What {@link #apply} did. */
    public enum Outcome { APPLIED, UNCHANGED, STALE, DUPLICATE }

    /** One event to apply and where it came from. */
    public record Item(EventRef ref, TaskStatusChanged event) {
    }

    private final CostIntervalRepository intervals;
    private final ConsumedEventRepository consumed;
    private final ReconciliationRepository reconciliations;
    private final PriceSegmentRepository segments;

    public LedgerService(CostIntervalRepository intervals, ConsumedEventRepository consumed,
                         ReconciliationRepository reconciliations, PriceSegmentRepository segments) {
        this.intervals = intervals;
        this.consumed = consumed;
        this.reconciliations = reconciliations;
        this.segments = segments;
    }

    @WithTransaction
    public Uni<Outcome> apply(EventRef ref, TaskStatusChanged event) {
        return applyAll(List.of(new Item(ref, event))).map(List::getFirst);
    }

    /** Applies the events in order, in the caller's transaction; one outcome per item. */
    @WithTransaction
    public Uni<List<Outcome>> applyAll(List<Item> items) {
        List<String> ids = items.stream().map(i -> i.ref().eventId()).distinct().toList();
        List<String> tasks = items.stream().map(i -> i.event().taskId()).distinct().toList();
        return consumed.idsAmong(ids).flatMap(seen -> intervals.ofTasks(tasks)
                .flatMap(rows -> new Batch(seen, rows).run(items)));
    }

    /** The state of one batch while its events are applied in order. */
    private final class Batch {
        private final Set<String> seen;
        private final Map<String, List<CostInterval>> byTask = new HashMap<>();
        private final List<Outcome> outcomes = new ArrayList<>();
        private final List<ConsumedEvent> consumedRows = new ArrayList<>();
        private final Set<String> rebilled = new LinkedHashSet<>();
        /** Tasks with closes or deletes not flushed yet: they must reach the database before the task opens again. */
        private final Set<String> dirty = new HashSet<>();

        Batch(Set<String> seen, List<CostInterval> rows) {
            this.seen = new HashSet<>(seen);
            for (CostInterval row : rows) {
                byTask.computeIfAbsent(row.taskId, t -> new ArrayList<>()).add(row);
            }
        }

        Uni<List<Outcome>> run(List<Item> items) {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Item item : items) {
                chain = chain.flatMap(ignored -> one(item));
            }
            return chain
                    .flatMap(ignored -> consumedRows.isEmpty() ? Uni.createFrom().voidItem()
                            : consumed.persist(consumedRows))
                    .flatMap(ignored -> segments.deleteOf(rebilled))
                    .flatMap(ignored -> reconciliations.forget(rebilled))
                    .flatMap(ignored -> intervals.flush())
                    .replaceWith(outcomes);
        }

        private Uni<Void> one(Item item) {
            EventRef ref = item.ref();
            TaskStatusChanged event = item.event();
            if (!seen.add(ref.eventId())) {
                LOG.debugf("event %s (%s@%d) already applied; skipped", ref.eventId(), ref.topic(), ref.offset());
                outcomes.add(Outcome.DUPLICATE);
                return Uni.createFrom().voidItem();
            }
            consumedRows.add(consumedRow(ref, event));
            List<CostInterval> taskRows = byTask.computeIfAbsent(event.taskId(), t -> new ArrayList<>());
            Plan plan = LedgerPlanner.plan(taskRows, event);
            if (plan.stale()) {
                LOG.infof("task %s: event %s at %s is older than the ledger's last change; ignored", event.taskId(),
                        ref.eventId(), plan.at());
                outcomes.add(Outcome.STALE);
                return Uni.createFrom().voidItem();
            }
            if (plan.isEmpty()) {
                outcomes.add(Outcome.UNCHANGED);
                return Uni.createFrom().voidItem();
            }
            outcomes.add(Outcome.APPLIED);
            // an interval that would close the instant it opened (two events at the same time) is replaced, not kept
            // as a zero-length row: its successor may have the same key (task, node, instance, start)
            List<CostInterval> replaced = plan.close().stream().filter(i -> i.startedAt.equals(plan.at())).toList();
            for (CostInterval interval : plan.close()) {
                interval.endedAt = plan.at();
                interval.closedBy = ref.eventId();
                dirty.add(event.taskId());
            }
            List<CostInterval> opened = plan.open().stream().map(b -> opened(b, plan.at(), ref, event)).toList();
            for (CostInterval interval : opened) {
                // an instance billed again (resumed) is no longer reconciled: Mithril's history of it is not final
                if (taskRows.stream().anyMatch(i -> i.instanceFid.equals(interval.instanceFid))) {
                    rebilled.add(interval.instanceFid);
                }
            }
            LOG.debugf("task %s %s at %s: closed %d, opened %d interval(s)", event.taskId(), event.to(), plan.at(),
                    plan.close().size(), opened.size());
            Uni<Void> removals = Uni.createFrom().voidItem();
            for (CostInterval interval : replaced) {
                taskRows.remove(interval);
                removals = removals.flatMap(ignored -> intervals.delete(interval));
                dirty.add(event.taskId());
            }
            taskRows.addAll(opened);
            if (opened.isEmpty()) {
                return removals;
            }
            // the closes reach the database before the opens: a node's new interval would otherwise meet the
            // one-open-interval-per-node index while its old one still looks open (Hibernate inserts before it
            // updates); only when the task has something pending, so a batch of other tasks' events flushes rarely
            boolean flush = dirty.contains(event.taskId());
            if (flush) {
                dirty.clear();
            }
            return removals.flatMap(ignored -> flush ? intervals.flush() : Uni.createFrom().voidItem())
                    .flatMap(ignored -> intervals.persist(opened));
        }
    }

    private static CostInterval opened(Billable billable, Instant at, EventRef ref, TaskStatusChanged event) {
        CostInterval interval = new CostInterval();
        interval.taskId = event.taskId();
        interval.project = event.project();
        interval.instanceFid = billable.instanceFid();
        interval.node = billable.node();
        interval.instanceType = event.instanceType();
        interval.pricePerHour = billable.pricePerHour();
        interval.startedAt = at;
        interval.openedBy = ref.eventId();
        return interval;
    }

    private static ConsumedEvent consumedRow(EventRef ref, TaskStatusChanged event) {
        ConsumedEvent row = new ConsumedEvent();
        row.eventId = ref.eventId();
        row.topic = ref.topic();
        row.partition = ref.partition();
        row.offset = ref.offset();
        row.taskId = event.taskId();
        row.project = event.project();
        row.eventType = ref.type();
        row.consumedAt = Instant.now();
        return row;
    }
}
