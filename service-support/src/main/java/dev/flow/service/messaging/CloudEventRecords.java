package dev.flow.service.messaging;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * FlowEvents on Kafka as binary-mode CloudEvents: {@code ce_*} headers, JSON data as the value, the event's key
 * (task id, or project for budget topics) as the record key, so all events of one task stay in order on one
 * partition. The topic is the channel's (configuration decides, so tests can use topics of their own). The header
 * names and the JSON come from shared-model's {@link EventCodec}, the one definition that every producer and
 * consumer, Quarkus or not, uses.
 */
public final class CloudEventRecords {

    private CloudEventRecords() {
    }

    /**
     * A message for a {@code byte[]}-valued Kafka channel (ByteArraySerializer), with a fresh CloudEvents id.
     *
     * @param source the CloudEvents source, e.g. {@code /flow/submitter-service}
     */
    public static Message<byte[]> toMessage(FlowEvent event, String source) {
        return toMessage(event, source, UUID.randomUUID().toString());
    }

    /** As {@link #toMessage(FlowEvent, String)} with a given id, e.g. an outbox row's id, so a resend is a duplicate. */
    public static Message<byte[]> toMessage(FlowEvent event, String source, String id) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.key())
                .withHeaders(headers(event, source, id))
                .build();
        return Message.of(EventCodec.encode(event)).addMetadata(metadata);
    }

    /**
     * The same record for a plain Kafka producer (a test's KafkaCompanion, a client outside Quarkus), on the given
     * topic.
     */
    public static ProducerRecord<String, byte[]> toProducerRecord(String topic, FlowEvent event, String source,
                                                                  String id) {
        return new ProducerRecord<>(topic, null, event.key(), EventCodec.encode(event), headers(event, source, id));
    }

    private static RecordHeaders headers(FlowEvent event, String source, String id) {
        RecordHeaders headers = new RecordHeaders();
        EventCodec.headers(event, source, id)
                .forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    /** The event a consumed record carries; empty for an unknown type (consumers ignore those). */
    public static Optional<FlowEvent> fromRecord(ConsumerRecord<?, byte[]> record) {
        if (record.value() == null) {
            return Optional.empty(); // a tombstone on a compacted topic
        }
        return EventCodec.decode(headersOf(record), record.value());
    }

    /**
     * The record's CloudEvents id ({@code ce_id}), which a redelivery or a replay repeats, so a consumer that must
     * act once dedupes by it; {@code topic-partition@offset} for a record without one (also stable on redelivery).
     */
    public static String eventId(ConsumerRecord<?, ?> record) {
        String id = headersOf(record).get(EventCodec.Headers.ID);
        return id != null && !id.isBlank() ? id : record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** The record's headers as strings (the last value of a repeated header wins). */
    public static Map<String, String> headersOf(ConsumerRecord<?, ?> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            if (header.value() != null) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return headers;
    }
}
