package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

/**
 * One priced interval of one instance of a task: billed at {@link #pricePerHour} from {@link #startedAt} to
 * {@link #endedAt} (null while it runs). Both ends are event times, so the ledger is a function of the events.
 */
@Entity
@Table(name = "cost_interval")
public class CostInterval {

    /** {@link #source} of the status-based intervals (from events). */
    public static final String STATUS = "status";
    /** {@link #source} of Mithril's billed intervals once an instance is reconciled (see {@code PriceSegment}). */
    public static final String MITHRIL = "mithril";
    /** {@link #source} of a volume's storage line (see {@code VolumeCost}). */
    public static final String VOLUME = "volume";

    /** From the column's sequence, 50 ids per call (V6): new intervals are then inserted in batches at flush. */
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "cost_interval_ids")
    @SequenceGenerator(name = "cost_interval_ids", sequenceName = "cost_interval_id_seq", allocationSize = 50)
    public Long id;

    @Column(name = "task_id", nullable = false)
    public String taskId;

    @Column(name = "project", nullable = false)
    public String project;

    @Column(name = "instance_fid", nullable = false)
    public String instanceFid;

    @Column(name = "node", nullable = false)
    public int node;

    /** The task's instance type (e.g. {@code a100-80gb.sxm.1x}), null when the event did not say. */
    @Column(name = "instance_type")
    public String instanceType;

    /** USD per instance-hour, full precision. */
    @Column(name = "price_per_hour", nullable = false)
    public BigDecimal pricePerHour;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "ended_at")
    public Instant endedAt;

    /** The event id that opened it. */
    @Column(name = "opened_by", nullable = false)
    public String openedBy;

    /** The event id that closed it. */
    @Column(name = "closed_by")
    public String closedBy;

    /** Where the interval comes from: {@link #STATUS} (this table) or {@link #MITHRIL} (a reconciled segment). */
    @Transient
    public String source = STATUS;

    public boolean isOpen() {
        return endedAt == null;
    }

    /** What it cost: start to end when it ended (event times only), else what it has cost so far at {@code asOf}. */
    public Accrual accruedUntil(Instant asOf) {
        return Accrual.of(pricePerHour, startedAt, endedAt != null ? endedAt : asOf);
    }

    /** What it cost within {@code [from, to)}: clipped to the window; a running interval accrues up to {@code to}. */
    public Accrual accruedWithin(Instant from, Instant to) {
        Instant start = startedAt.isBefore(from) ? from : startedAt;
        Instant end = endedAt == null || endedAt.isAfter(to) ? to : endedAt;
        return Accrual.of(pricePerHour, start, end);
    }

    /**
     * What it cost within {@code [from, to)} as known at {@code now}: a closed interval is clipped to the window (its
     * cost is final, wherever {@code now} is), a running one accrues up to {@code min(to, now)}.
     */
    public Accrual accruedWithin(Instant from, Instant to, Instant now) {
        return accruedWithin(from, endedAt != null || to.isBefore(now) ? to : now);
    }

    @Override
    public String toString() {
        return "CostInterval[" + taskId + " node " + node + " " + instanceFid + " $" + pricePerHour.toPlainString()
                + "/h " + startedAt + ".." + endedAt + "]";
    }
}
