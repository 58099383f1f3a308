package dev.flow.service.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead letter of a consumed record: the original key, value and headers (so a replay is the same record, with the
 * same {@code ce_id}, and a consumer that dedupes recognises it), plus {@code flow_dlq_*} headers saying where it came
 * from and why it was given up on. The description is bounded and never holds the payload (see {@link #describe}).
 */
public final class DeadLetterRecords {

    /** A short fixed word: {@code undecodable}, {@code invalid}, {@code unprocessable}. */
    public static final String REASON = "flow_dlq_reason";
    /** The topic, partition and offset the record was consumed from (a replay writes it back to that topic). */
    public static final String TOPIC = "flow_dlq_topic";
    public static final String PARTITION = "flow_dlq_partition";
    public static final String OFFSET = "flow_dlq_offset";
    /** The service (its {@code quarkus.application.name}) that gave up on it. */
    public static final String SERVICE = "flow_dlq_service";
    /** The failure: exception classes and the start of the outermost message, at most {@link #MAX_ERROR} chars. */
    public static final String ERROR = "flow_dlq_error";
    /** When it was given up on (ISO-8601). */
    public static final String AT = "flow_dlq_at";

    static final int MAX_ERROR = 200;
    private static final int MAX_MESSAGE = 120;
    private static final int MAX_CAUSES = 3;

    private DeadLetterRecords() {
    }

    /** The record to write to {@code deadLetterTopic} for {@code record}, given up on by {@code service}. */
    public static ProducerRecord<String, byte[]> of(String deadLetterTopic, ConsumerRecord<String, byte[]> record,
                                                    String reason, Throwable failure, String service, Instant at) {
        List<Header> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            if (!header.key().startsWith("flow_dlq_")) { // a replayed record that failed again: this time's headers
                headers.add(header);
            }
        }
        add(headers, REASON, reason);
        add(headers, TOPIC, record.topic());
        add(headers, PARTITION, Integer.toString(record.partition()));
        add(headers, OFFSET, Long.toString(record.offset()));
        add(headers, SERVICE, service);
        add(headers, ERROR, describe(failure));
        add(headers, AT, at.toString());
        return new ProducerRecord<>(deadLetterTopic, null, record.key(), record.value(), new RecordHeaders(headers));
    }

    /**
     * The failure in at most {@value #MAX_ERROR} characters: the classes of its causes, outermost first, then the
     * outermost message up to its first colon. What follows a colon is, in practice, a wrapped cause's message or a
     * parser's quote of the offending input (Jackson's "Unrecognized token 'xyz'"), i.e. possibly payload, and the
     * payload may carry what must stay out of headers; the class names and our own wording before it do not.
     */
    public static String describe(Throwable failure) {
        if (failure == null) {
            return "";
        }
        StringBuilder classes = new StringBuilder();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_CAUSES; t = t.getCause() == t ? null : t.getCause()) {
            classes.append(depth++ == 0 ? "" : " <- ").append(t.getClass().getName());
        }
        String message = failure.getMessage() == null ? "" : failure.getMessage().lines().findFirst().orElse("");
        int colon = message.indexOf(':');
        message = (colon >= 0 ? message.substring(0, colon) : message).strip();
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        String description = message.isEmpty() ? classes.toString() : classes + ": " + message;
        return description.length() > MAX_ERROR ? description.substring(0, MAX_ERROR - 1) + "…" : description;
    }

    private static void add(List<Header> headers, String name, String value) {
        headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }
}
