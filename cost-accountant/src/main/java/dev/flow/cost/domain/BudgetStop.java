package dev.flow.cost.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The decision to stop one running task of an exhausted {@code stop_tasks} budget: once per period (outbox). */
@Entity
@Table(name = "budget_stop")
public class BudgetStop {

    /** {@code budgetId/periodStart/taskId}: also the CloudEvents id of the StopTask. */
    @Id
    @Column(name = "id")
    public String id;

    @Column(name = "budget_id", nullable = false)
    public String budgetId;

    @Column(name = "project", nullable = false)
    public String project;

    @Column(name = "period_start", nullable = false)
    public Instant periodStart;

    @Column(name = "task_id", nullable = false)
    public String taskId;

    @Column(name = "decided_at", nullable = false)
    public Instant decidedAt;

    @Column(name = "published_at")
    public Instant publishedAt;

    public static String idOf(String budgetId, Instant periodStart, String taskId) {
        return budgetId + "/" + periodStart + "/stop/" + taskId;
    }
}
