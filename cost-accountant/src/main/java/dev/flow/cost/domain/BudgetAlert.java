package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A threshold of a budget crossed in one period: decided once (unique), published from here (outbox). */
@Entity
@Table(name = "budget_alert")
public class BudgetAlert {

    /** See {@link #idOf}: also the CloudEvents id of the published alert. */
    @Id
    @Column(name = "id")
    public String id;

    @Column(name = "budget_id", nullable = false)
    public String budgetId;

    @Column(name = "project", nullable = false)
    public String project;

    @Column(name = "period_start", nullable = false)
    public Instant periodStart;

    @Column(name = "threshold", nullable = false)
    public int threshold;

    /** {@code actual} or {@code forecast} ({@link dev.flow.model.event.AlertKind#json()}). */
    @Column(name = "kind", nullable = false)
    public String kind;

    /** The forecast when the crossing was noticed (null for total budgets), micro-dollar precision. */
    @Column(name = "forecast")
    public BigDecimal forecast;

    /** Spend when the crossing was noticed, micro-dollar precision. */
    @Column(name = "spent", nullable = false)
    public BigDecimal spent;

    @Column(name = "crossed_at", nullable = false)
    public Instant crossedAt;

    @Column(name = "published_at")
    public Instant publishedAt;

    /**
     * {@code budgetId/periodStart/kind/threshold/crossedAt}: the crossing time makes a re-armed threshold (budget
     * raised, then crossed again) a new event rather than a duplicate of the first.
     */
    public static String idOf(String budgetId, Instant periodStart, String kind, int threshold, Instant crossedAt) {
        return budgetId + "/" + periodStart + "/" + kind + "/" + threshold + "/" + crossedAt.toEpochMilli();
    }
}
