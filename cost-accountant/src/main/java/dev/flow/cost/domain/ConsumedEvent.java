package dev.flow.cost.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A consumed {@code flow.task.status} event, written in the same transaction as the ledger rows it caused: a
 * redelivered event (same CloudEvents id) finds its row and changes nothing. It also remembers which project a task
 * belongs to, so a task that never ran still has a (zero) cost.
 */
@Entity
@Table(name = "consumed_event")
public class ConsumedEvent {

    /** The CloudEvents {@code ce_id}, or {@code topic-partition@offset} when a record has none. */
    @Id
    @Column(name = "event_id")
    public String eventId;

    @Column(name = "topic", nullable = false)
    public String topic;

    @Column(name = "kafka_partition", nullable = false)
    public int partition;

    @Column(name = "kafka_offset", nullable = false)
    public long offset;

    @Column(name = "task_id")
    public String taskId;

    @Column(name = "project")
    public String project;

    @Column(name = "event_type")
    public String eventType;

    @Column(name = "consumed_at", nullable = false)
    public Instant consumedAt;
}
