package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One interval Mithril billed an instance for, at an integer number of cents per hour. */
@Entity
@Table(name = "mithril_price_segment")
public class PriceSegment {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "instance_fid", nullable = false)
    public String instanceFid;

    @Column(name = "task_id", nullable = false)
    public String taskId;

    @Column(name = "project", nullable = false)
    public String project;

    @Column(name = "node", nullable = false)
    public int node;

    @Column(name = "instance_type")
    public String instanceType;

    @Column(name = "price_cents", nullable = false)
    public long priceCents;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "ended_at", nullable = false)
    public Instant endedAt;

    /**
     * The segment as a (detached, never persisted) ledger interval, so every amount the service computes — task,
     * project window, budgets — treats Mithril's billing and the status-based estimate alike.
     */
    public CostInterval asInterval() {
        CostInterval interval = new CostInterval();
        interval.taskId = taskId;
        interval.project = project;
        interval.instanceFid = instanceFid;
        interval.node = node;
        interval.instanceType = instanceType;
        interval.pricePerHour = BigDecimal.valueOf(priceCents, 2);
        interval.startedAt = startedAt;
        interval.endedAt = endedAt;
        interval.openedBy = CostInterval.MITHRIL;
        interval.closedBy = CostInterval.MITHRIL;
        interval.source = CostInterval.MITHRIL;
        return interval;
    }
}
