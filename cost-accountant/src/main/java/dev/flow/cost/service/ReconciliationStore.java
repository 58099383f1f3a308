package dev.flow.cost.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.flow.cost.domain.Accrual;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.domain.InstanceReconciliation;
import dev.flow.cost.domain.InstanceReconciliation.Status;
import dev.flow.cost.domain.PriceSegment;
import dev.flow.cost.repository.CostIntervalRepository;
import dev.flow.cost.repository.PriceSegmentRepository;
import dev.flow.cost.repository.ReconciliationRepository;
import dev.flow.cost.repository.ReconciliationRepository.Candidate;
import dev.flow.mithril.client.model.InstancePricingHistory;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The database side of the reconciliation: which instances are due, and recording what Mithril said (one transaction). */
@ApplicationScoped
public class ReconciliationStore {

    private final ReconciliationRepository reconciliations;
    private final PriceSegmentRepository segments;
    private final CostIntervalRepository intervals;

    public ReconciliationStore(ReconciliationRepository reconciliations, PriceSegmentRepository segments,
                               CostIntervalRepository intervals) {
        this.reconciliations = reconciliations;
        this.segments = segments;
        this.intervals = intervals;
    }

    @WithSession
    public Uni<List<Candidate>> due(int maxAttempts, int batch) {
        return reconciliations.candidates(maxAttempts, batch);
    }

    /**
     * Records Mithril's billing of an instance. The instance's ledger intervals are re-read in this transaction:
     * if one was re-opened since the instance was picked, nothing is recorded (it is picked again once closed).
     * Recording twice replaces the segments by the same ones (the history of a stopped instance does not change).
     *
     * @param history Mithril's priced intervals of the instance; empty when Mithril does not know it
     * @return the status recorded, or null when the instance is billed again
     */
    @WithTransaction
    public Uni<Status> record(Candidate candidate, List<InstancePricingHistory.Event> history, boolean found,
                              Instant now) {
        return intervals.list("instanceFid", candidate.instanceFid()).flatMap(rows -> {
            if (rows.isEmpty() || rows.stream().anyMatch(CostInterval::isOpen)) {
                return Uni.createFrom().nullItem();
            }
            Accrual estimated = rows.stream().map(i -> i.accruedUntil(now)).reduce(Accrual.ZERO, Accrual::plus);
            boolean open = history.stream().anyMatch(e -> e.endTime() == null);
            Status status = !found ? Status.NOT_FOUND : open ? Status.PENDING : Status.RECONCILED;
            int node = rows.getFirst().node;
            String instanceType = rows.getFirst().instanceType;
            return reconciliations.findById(candidate.instanceFid()).flatMap(existing -> {
                InstanceReconciliation row = existing != null ? existing : new InstanceReconciliation();
                row.instanceFid = candidate.instanceFid();
                row.taskId = candidate.taskId();
                row.project = candidate.project();
                row.status = status.name();
                row.attempts = row.attempts + 1;
                row.estimated = estimated.dollarMicros();
                row.checkedAt = now;
                row.reconciled = null;
                Uni<Void> replaced = segments.deleteOf(List.of(candidate.instanceFid())).replaceWithVoid();
                if (status == Status.RECONCILED) {
                    List<PriceSegment> segs = history.stream()
                            .map(e -> segment(candidate, node, instanceType, e)).toList();
                    row.reconciled = segs.stream().map(PriceSegment::asInterval).map(i -> i.accruedUntil(now))
                            .reduce(Accrual.ZERO, Accrual::plus).dollarMicros();
                    replaced = replaced.flatMap(ignored -> segments.flush())
                            .flatMap(ignored -> segs.isEmpty() ? Uni.createFrom().voidItem() : segments.persist(segs));
                }
                return replaced.flatMap(ignored -> existing != null ? Uni.createFrom().voidItem()
                        : reconciliations.persist(row).replaceWithVoid()).replaceWith(status);
            });
        });
    }

    private static PriceSegment segment(Candidate candidate, int node, String instanceType,
                                        InstancePricingHistory.Event event) {
        PriceSegment segment = new PriceSegment();
        segment.instanceFid = candidate.instanceFid();
        segment.taskId = candidate.taskId();
        segment.project = candidate.project();
        segment.node = node;
        segment.instanceType = instanceType;
        segment.priceCents = event.priceCents();
        // PostgreSQL keeps microseconds: truncate first, so the amount computed now is the one read back later
        segment.startedAt = event.startTime().truncatedTo(ChronoUnit.MICROS);
        segment.endedAt = event.endTime().truncatedTo(ChronoUnit.MICROS);
        return segment;
    }

}
