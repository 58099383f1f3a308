package dev.flow.submitter.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The read model of one task (table {@code submitter.task}). The stored config is always redacted: env values are
 * never written to the database; the real ones live only in memory while the startup script is built.
 */
@Entity
@Table(name = "task")
// an update writes only the columns it changed: the status, cost and lifecycle consumers each change their own
// columns of the same row concurrently (the final TaskCostUpdated arrives with the terminal status), and a whole-row
// write of one would undo what another committed meanwhile
@DynamicUpdate
public class TaskEntity {

    @Id
    public String id;

    @Column(nullable = false)
    public String project;

    @Column(name = "project_fid")
    public String projectFid;

    @Column(nullable = false)
    public String name;

    @Column(name = "created_by")
    public String createdBy;

    /** A {@code TaskStatus} in its JSON form ({@code pending}, {@code running}, ...). */
    @Column(nullable = false)
    public String status;

    /** A {@code TransitionReason} in its text form ({@code WORKLOAD_EXIT(1)}). */
    public String reason;

    public String message;

    /** The redacted TaskConfig as JSON (snake_case). */
    @Column(name = "config", nullable = false)
    public String configJson;

    /** What the user asked for, canonical ({@code 4xa100}, an FID, or null when chosen by GPU memory). */
    @Column(name = "instance_type")
    public String instanceType;

    /** Mithril's catalog name of the chosen type ({@code a100-80gb.sxm.4x}). */
    @Column(name = "instance_type_name")
    public String instanceTypeName;

    @Column(name = "instance_type_fid")
    public String instanceTypeFid;

    public String region;

    @Column(name = "num_instances", nullable = false)
    public int numInstances;

    /** The bid's limit price per instance-hour, dollars. */
    @Column(name = "limit_price", precision = 14, scale = 4)
    public BigDecimal limitPrice;

    /** What one instance costs per hour now (the poller's latest price), dollars. */
    @Column(name = "price_per_hour", precision = 14, scale = 4)
    public BigDecimal pricePerHour;

    @Column(name = "bid_name")
    public String bidName;

    @Column(name = "bid_fid")
    public String bidFid;

    /** {@code InstanceInfo} list as JSON. */
    @Column(name = "instances", nullable = false)
    public String instancesJson = "[]";

    @Column(name = "ssh_host")
    public String sshHost;

    @Column(name = "ssh_port")
    public Integer sshPort;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    /** Event time of the last status event applied: older ones are ignored (idempotent, out-of-order safe). */
    @Column(name = "status_at")
    public Instant statusAt;

    @Column(name = "restart_count", nullable = false)
    public int restartCount;

    @Column(name = "cancel_requested_at")
    public Instant cancelRequestedAt;

    @Column(name = "cancel_reason")
    public String cancelReason;

    /** When Mithril confirmed the bid's cancellation (null: not yet, the sweeper retries). */
    @Column(name = "bid_cancelled_at")
    public Instant bidCancelledAt;

    /** How many times the bid's cancel was re-sent because the task went on after Mithril confirmed it. */
    @Column(name = "stop_resends", nullable = false)
    public int stopResends;

    /** When {@code StopResender} looks at this stop again (null: {@code stop-resend.after} after the confirmation). */
    @Column(name = "stop_check_at")
    public Instant stopCheckAt;

    /** When Mithril showed the bid ended after the stop (it took; {@code StopResender} looks no more). */
    @Column(name = "stop_took_at")
    public Instant stopTookAt;

    /** The client's {@code Idempotency-Key}, unique per project. */
    @Column(name = "idempotency_key")
    public String idempotencyKey;

    /** SHA-256 of the canonical request JSON the key was first used with ({@code RequestFingerprint}). */
    @Column(name = "request_sha256")
    public String requestSha256;

    /** The cost-accountant's total for the task (TaskCostUpdated), dollars; null until its first update. */
    @Column(name = "total_cost", precision = 18, scale = 6)
    public BigDecimal totalCost;

    /** The cost-accountant's rate of the whole task (all instances), dollars per hour. */
    @Column(name = "cost_per_hour", precision = 18, scale = 6)
    public BigDecimal costPerHour;

    /** Event time of the last TaskCostUpdated applied: older ones are ignored. */
    @Column(name = "cost_at")
    public Instant costAt;

    /** Fids of the bids replaced by resubmissions, comma-separated, oldest first. */
    @Column(name = "previous_bids")
    public String previousBids;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
