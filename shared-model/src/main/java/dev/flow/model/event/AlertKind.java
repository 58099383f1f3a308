package dev.flow.model.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** A budget threshold crossed by money already spent, or by the forecast for the period. JSON lowercase. */
public enum AlertKind {
    ACTUAL, FORECAST;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static AlertKind parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
