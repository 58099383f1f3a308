package dev.flow.submitter.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * One event waiting to be published (table {@code submitter.outbox}), written in the same transaction as the task
 * change it describes. The id is the CloudEvents {@code ce_id}, so a resend after a crash is recognisable; ids grow,
 * so publishing in id order keeps each task's events in order.
 */
@Entity
@Table(name = "outbox")
public class OutboxEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "outbox_seq")
    // one value per insert: ids must follow insertion order, which a pooled allocation across replicas would not
    @SequenceGenerator(name = "outbox_seq", sequenceName = "outbox_id_seq", allocationSize = 1)
    public Long id;

    /** The record key: the task id. */
    @Column(name = "aggregate_id", nullable = false)
    public String aggregateId;

    @Column(nullable = false)
    public String topic;

    /** The CloudEvents type. */
    @Column(name = "event_type", nullable = false)
    public String eventType;

    /** The event JSON (never carries secrets: events are built from redacted data). */
    @Column(nullable = false)
    public String payload;

    @Column(name = "event_time", nullable = false)
    public Instant eventTime;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "sent_at")
    public Instant sentAt;

    @Column(nullable = false)
    public int attempts;

    /** When the row was set aside because Kafka can never take it (too large, unencodable); never published. */
    @Column(name = "dead_at")
    public Instant deadAt;

    /** Why it was set aside: the exception's class and message, never the payload. */
    @Column(name = "dead_reason")
    public String deadReason;

    /** The W3C traceparent of the span that wrote the event, so the relay continues that trace; null: none. */
    public String traceparent;
}
