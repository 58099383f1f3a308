package dev.flow.submitter.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A command carried out once (table {@code submitter.consumed_command}), by its CloudEvents {@code ce_id}: written in
 * the transaction that records the command's effect, so a redelivery of the same record is recognised.
 */
@Entity
@Table(name = "consumed_command")
public class ConsumedCommandEntity {

    @Id
    @Column(name = "event_id")
    public String eventId;

    @Column(name = "event_type", nullable = false)
    public String eventType;

    @Column(name = "task_id", nullable = false)
    public String taskId;

    @Column(name = "consumed_at", nullable = false)
    public Instant consumedAt;
}
