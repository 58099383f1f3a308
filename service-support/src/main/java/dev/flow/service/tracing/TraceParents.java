package dev.flow.service.tracing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.reactive.messaging.TracingMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A task's trace crosses places where the OpenTelemetry context cannot follow by itself: a database row (the
 * submitter's outbox), a service's memory (the poller's task state), a hand-built Kafka producer. There it travels
 * as its W3C {@code traceparent} string, and this class turns a context into that string and back.
 */
public final class TraceParents {

    /** The W3C Trace Context header, also the Kafka record header the messaging connector reads and writes. */
    public static final String HEADER = "traceparent";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<String> SINGLE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return java.util.List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
            return HEADER.equals(key) ? carrier : null;
        }
    };

    private TraceParents() {
    }

    /** The current span's traceparent; empty when no span is current (tracing off, or outside any trace). */
    public static Optional<String> current() {
        return of(Context.current());
    }

    public static Optional<String> of(Context context) {
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(context, carrier, Map::put);
        return Optional.ofNullable(carrier.get(HEADER));
    }

    /** The remote parent a traceparent names; the root context (a new trace) when it is null or malformed. */
    public static Context context(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return W3C.extract(Context.root(), traceparent, SINGLE);
    }

    /**
     * The message with the connector's producer span made a child of {@code traceparent} (instead of whatever context
     * is current when it is sent); the connector then writes that span's traceparent as the record header.
     */
    public static <T> Message<T> childOf(Message<T> message, String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return message;
        }
        Context parent = context(traceparent);
        return message.addMetadata(TracingMetadata.with(parent, parent));
    }

    /** The traceparent header of a Kafka record, if it has one. */
    public static Optional<String> fromHeaders(Headers headers) {
        Header header = headers.lastHeader(HEADER);
        return header == null || header.value() == null
                ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    /** Writes the current trace context into a record built by hand (no connector to do it). */
    public static <K, V> ProducerRecord<K, V> withCurrent(ProducerRecord<K, V> record) {
        current().ifPresent(traceparent -> record.headers().remove(HEADER)
                .add(HEADER, traceparent.getBytes(StandardCharsets.UTF_8)));
        return record;
    }
}
