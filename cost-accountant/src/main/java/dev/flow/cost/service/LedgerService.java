package dev.flow.cost.service;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Applies status events to the ledger, each exactly once in effect: the event's {@link ConsumedEvent} row and the
 * interval rows it opens or closes are written in one transaction, and an event whose row exists changes nothing.
 */
@ApplicationScoped
public class LedgerService {

    private static final Logger LOG = Logger.getLogger(LedgerService.class);

    /** What {@link #apply} did. */
    public enum Outcome { APPLIED, UNCHANGED, STALE, DUPLICATE }

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
        return consumed.findById(ref.eventId()).flatMap(seen -> {
            if (seen != null) {
                LOG.debugf("event %s (%s@%d) already applied; skipped", ref.eventId(), ref.topic(), ref.offset());
                return Uni.createFrom().item(Outcome.DUPLICATE);
            }
            return consumed.persist(consumedRow(ref, event))
                    .flatMap(ignored -> intervals.ofTask(event.taskId()))
                    .flatMap(open -> execute(LedgerPlanner.plan(open, event), ref, event));
        });
    }

    private Uni<Outcome> execute(Plan plan, EventRef ref, TaskStatusChanged event) {
        if (plan.stale()) {
            LOG.infof("task %s: event %s at %s is older than the ledger's last change; ignored", event.taskId(),
                    ref.eventId(), plan.at());
            return Uni.createFrom().item(Outcome.STALE);
        }
        if (plan.isEmpty()) {
            return Uni.createFrom().item(Outcome.UNCHANGED);
        }
        // an interval that would close the instant it opened (two events at the same time) is replaced, not kept
        // as a zero-length row: its successor may have the same key (task, node, instance, start)
        List<CostInterval> replaced = plan.close().stream().filter(i -> i.startedAt.equals(plan.at())).toList();
        for (CostInterval interval : plan.close()) {
            interval.endedAt = plan.at();
            interval.closedBy = ref.eventId();
        }
        List<CostInterval> opened = plan.open().stream().map(b -> opened(b, plan.at(), ref, event)).toList();
        LOG.infof("task %s %s at %s: closed %d, opened %d interval(s)", event.taskId(), event.to(), plan.at(),
                plan.close().size(), opened.size());
        Uni<Void> removals = replaced.isEmpty() ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(replaced).onItem().transformToUniAndConcatenate(intervals::delete)
                        .collect().last().replaceWithVoid();
        // the closes reach the database before the opens: a node's new interval would otherwise meet the
        // one-open-interval-per-node index while its old one still looks open (Hibernate inserts before it updates)
        // an instance billed again (resumed) is no longer reconciled: Mithril's history of it is not final any more
        Set<String> rebilled = opened.stream().map(i -> i.instanceFid).collect(Collectors.toSet());
        return removals.flatMap(ignored -> intervals.flush())
                .flatMap(ignored -> opened.isEmpty() ? Uni.createFrom().voidItem() : intervals.persist(opened))
                .flatMap(ignored -> segments.deleteOf(rebilled))
                .flatMap(ignored -> reconciliations.forget(rebilled))
                .replaceWith(Outcome.APPLIED);
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
