package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A volume of a project and the time it exists: it costs {@code size_gb × price per GB-month} from
 * {@link #createdAt} to {@link #deletedAt} (open while it exists).
 */
@Entity
@Table(name = "volume_cost")
public class VolumeCost {

    /** Hours in the "month" of a GB-month price: 730 (= 8760 / 12), the usual convention of cloud storage bills. */
    public static final BigDecimal HOURS_PER_MONTH = BigDecimal.valueOf(730);
    /** Prefix of the pseudo task id under which a volume's storage appears among a project's cost lines. */
    public static final String LINE_PREFIX = "volume:";

    @Id
    @Column(name = "volume_fid")
    public String volumeFid;

    @Column(name = "project", nullable = false)
    public String project;

    @Column(name = "name")
    public String name;

    @Column(name = "region")
    public String region;

    @Column(name = "size_gb", nullable = false)
    public long sizeGb;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "deleted_at")
    public Instant deletedAt;

    /** {@code mithril} (its deleted_at) or {@code poll} (first poll that missed it). */
    @Column(name = "deleted_by")
    public String deletedBy;

    @Column(name = "last_seen_at", nullable = false)
    public Instant lastSeenAt;

    /**
     * USD per hour: size × price per GB-month / 730. The division rarely terminates: it is kept to 34 significant
     * digits (DECIMAL128), so an amount is off by less than 10⁻²⁰ $ before the single HALF_EVEN rounding when shown.
     */
    public BigDecimal pricePerHour(BigDecimal pricePerGbMonth) {
        return pricePerGbMonth.multiply(BigDecimal.valueOf(sizeGb)).divide(HOURS_PER_MONTH, MathContext.DECIMAL128);
    }

    /** The volume as a (detached) cost line, so windows, day groups, budgets and charts count storage alike. */
    public CostInterval asLine(BigDecimal pricePerGbMonth) {
        CostInterval line = new CostInterval();
        line.taskId = LINE_PREFIX + volumeFid;
        line.project = project;
        line.instanceFid = volumeFid;
        line.node = 0;
        line.instanceType = "storage";
        line.pricePerHour = pricePerHour(pricePerGbMonth);
        line.startedAt = createdAt;
        line.endedAt = deletedAt;
        line.openedBy = CostInterval.VOLUME;
        line.closedBy = deletedAt == null ? null : CostInterval.VOLUME;
        line.source = CostInterval.VOLUME;
        return line;
    }
}
