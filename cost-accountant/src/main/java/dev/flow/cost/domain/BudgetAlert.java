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

    /** {@code budgetId/periodStart/threshold}: also the CloudEvents id of the published alert. */
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

    /** Spend when the crossing was noticed, micro-dollar precision. */
    @Column(name = "spent", nullable = false)
    public BigDecimal spent;

    @Column(name = "crossed_at", nullable = false)
    public Instant crossedAt;

    @Column(name = "published_at")
    public Instant publishedAt;

    public static String idOf(String budgetId, Instant periodStart, int threshold) {
        return budgetId + "/" + periodStart + "/" + threshold;
    }
}
