package dev.flow.cost.service;

/**
 * Where a consumed record came from: its CloudEvents id (the idempotency key) and its Kafka coordinates.
 *
 * @param eventId the {@code ce_id}, or {@code topic-partition@offset} when the record has none
 * @param type    the {@code ce_type}, or null
 */
public record EventRef(String eventId, String topic, int partition, long offset, String type) {
}
