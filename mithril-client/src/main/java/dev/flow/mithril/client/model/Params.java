package dev.flow.mithril.client.model;

import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/** Query-parameter helpers shared by the query records. */
final class Params {

    private Params() {
    }

    static void put(Map<String, String> p, String key, Object value) {
        if (value != null && !value.toString().isEmpty()) {
            p.put(key, value.toString());
        }
    }

    /** Mithril's array filters are "Comma-separated list"s. */
    static void putCsv(Map<String, String> p, String key, Collection<?> values) {
        if (values != null && !values.isEmpty()) {
            p.put(key, values.stream().map(Object::toString).collect(Collectors.joining(",")));
        }
    }
}
