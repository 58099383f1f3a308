package dev.flow.model.event;

import com.fasterxml.jackson.core.JacksonException;
import dev.flow.model.json.FlowJson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Events on the wire: CloudEvents 1.0 in Kafka binary mode. The record value is the event's JSON (camelCase fields,
 * ISO-8601 instants, money as {@code "$25.60"}), the metadata is in {@code ce_*} headers, the record key is
 * {@link FlowEvent#key()}.
 *
 * <p>Consumers tolerate the future: {@link #decode} returns empty for a type it does not know and ignores unknown
 * fields of the types it knows.
 */
public final class EventCodec {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    /** Kafka header names of the CloudEvents Kafka protocol binding, binary mode. */
    public static final class Headers {
        public static final String SPECVERSION = "ce_specversion";
        public static final String ID = "ce_id";
        public static final String SOURCE = "ce_source";
        public static final String TYPE = "ce_type";
        public static final String TIME = "ce_time";
        public static final String SUBJECT = "ce_subject";
        public static final String CONTENT_TYPE = "content-type";

        private Headers() {
        }
    }

    private static final Map<String, Class<? extends FlowEvent>> BY_TYPE;
    private static final Map<Class<?>, String> BY_CLASS;

    static {
        Map<String, Class<? extends FlowEvent>> byType = new LinkedHashMap<>();
        Map<Class<?>, String> byClass = new LinkedHashMap<>();
        for (Class<? extends FlowEvent> c : leaves(FlowEvent.class)) {
            EventType t = c.getAnnotation(EventType.class);
            if (t == null) {
                throw new IllegalStateException(c.getName() + " has no @EventType");
            }
            if (byType.put(t.value(), c) != null) {
                throw new IllegalStateException("event type " + t.value() + " is used twice");
            }
            byClass.put(c, t.value());
        }
        BY_TYPE = Collections.unmodifiableMap(byType);
        BY_CLASS = Collections.unmodifiableMap(byClass);
    }

    private EventCodec() {
    }

    @SuppressWarnings("unchecked")
    private static List<Class<? extends FlowEvent>> leaves(Class<?> sealed) {
        List<Class<? extends FlowEvent>> out = new ArrayList<>();
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isSealed()) {
                out.addAll(leaves(c));
            } else {
                out.add((Class<? extends FlowEvent>) c);
            }
        }
        return out;
    }

    /** Every concrete event class, in declaration order. */
    public static List<Class<? extends FlowEvent>> eventClasses() {
        return List.copyOf(BY_TYPE.values());
    }

    /** Every known CloudEvents type. */
    public static List<String> eventTypes() {
        return List.copyOf(BY_TYPE.keySet());
    }

    public static String typeOf(FlowEvent event) {
        return typeOf(event.getClass());
    }

    public static String typeOf(Class<? extends FlowEvent> eventClass) {
        String type = BY_CLASS.get(eventClass);
        if (type == null) {
            throw new IllegalArgumentException(eventClass.getName() + " is not a FlowEvent record");
        }
        return type;
    }

    /** The event's JSON, the Kafka record value. */
    public static byte[] encode(FlowEvent event) {
        try {
            return FlowJson.mapper().writeValueAsBytes(event);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise " + typeOf(event), e);
        }
    }

    /**
     * Reads an event of CloudEvents type {@code ceType}.
     *
     * @return empty when the type is unknown (a newer producer): the consumer skips it
     * @throws IllegalArgumentException when the type is known but the data is not a valid event of it
     */
    public static Optional<FlowEvent> decode(String ceType, byte[] data) {
        Class<? extends FlowEvent> c = ceType == null ? null : BY_TYPE.get(ceType);
        if (c == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Objects.requireNonNull(FlowJson.mapper().readValue(data, c), "null event data"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("invalid " + ceType + " event data: " + e.getMessage(), e);
        }
    }

    /** {@link #decode(String, byte[])} with the type taken from binary-mode headers. */
    public static Optional<FlowEvent> decode(Map<String, String> headers, byte[] data) {
        return decode(headers.get(Headers.TYPE), data);
    }

    /**
     * The CloudEvents binary-mode Kafka headers of an event.
     *
     * @param source the producing service as a URI reference, e.g. {@code "/flow/status-poller"}
     * @param id     unique per event from this source (a UUID, or a deterministic id so retries deduplicate)
     */
    public static Map<String, String> headers(FlowEvent event, String source, String id) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(id, "id");
        Map<String, String> h = new LinkedHashMap<>();
        h.put(Headers.SPECVERSION, SPEC_VERSION);
        h.put(Headers.ID, id);
        h.put(Headers.SOURCE, source);
        h.put(Headers.TYPE, typeOf(event));
        h.put(Headers.TIME, event.time().toString());
        h.put(Headers.SUBJECT, event.key());
        h.put(Headers.CONTENT_TYPE, CONTENT_TYPE);
        return Collections.unmodifiableMap(h);
    }
}
