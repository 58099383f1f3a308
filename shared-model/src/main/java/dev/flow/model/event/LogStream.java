package dev.flow.model.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Which output a log line came from. JSON lowercase. */
public enum LogStream {
    STDOUT, STDERR;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static LogStream parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
