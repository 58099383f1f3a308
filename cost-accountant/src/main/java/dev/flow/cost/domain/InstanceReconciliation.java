package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * What the reconciler learnt from Mithril's pricing history about one instance: whether Mithril's billed amount
 * replaces the status-based estimate ({@link Status#RECONCILED}), and both amounts in exact dollar-microseconds.
 */
@Entity
@Table(name = "instance_reconciliation")
public class InstanceReconciliation {

    /** RECONCILED: Mithril's segments win; PENDING: Mithril still bills it; NOT_FOUND: Mithril does not know it. */
    public enum Status { RECONCILED, PENDING, NOT_FOUND }

    @Id
    @Column(name = "instance_fid")
    public String instanceFid;

    @Column(name = "task_id", nullable = false)
    public String taskId;

    @Column(name = "project", nullable = false)
    public String project;

    @Column(name = "status", nullable = false)
    public String status;

    @Column(name = "attempts", nullable = false)
    public int attempts;

    /** The status-based amount of the instance (its ledger intervals), dollar-microseconds. */
    @Column(name = "estimated", nullable = false)
    public BigDecimal estimated;

    /** Mithril's amount, dollar-microseconds; null unless RECONCILED. */
    @Column(name = "reconciled")
    public BigDecimal reconciled;

    /** {@code reconciled - estimated}, computed by PostgreSQL. */
    @Column(name = "difference", insertable = false, updatable = false)
    public BigDecimal difference;

    @Column(name = "checked_at", nullable = false)
    public Instant checkedAt;

    public boolean isReconciled() {
        return Status.RECONCILED.name().equals(status);
    }
}
