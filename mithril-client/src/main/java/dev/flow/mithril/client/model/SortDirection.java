package dev.flow.mithril.client.model;

/** {@code SortDirection}; the wire value is the lower-case name. */
public enum SortDirection {
    ASC, DESC;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
