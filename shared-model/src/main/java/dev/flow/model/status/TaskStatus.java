package dev.flow.model.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

/** The seed's task status. JSON is the lowercase name ({@code "running"}). */
public enum TaskStatus {
    PENDING, RUNNING, PAUSED, PREEMPTING, COMPLETED, FAILED, CANCELLED;

    /** completed, failed and cancelled never change again. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TaskStatus parse(String text) {
        if (text != null) {
            for (TaskStatus s : values()) {
                if (s.name().equalsIgnoreCase(text.strip())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown task status \"" + text + "\"; expected one of "
                + Arrays.stream(values()).map(TaskStatus::json).toList());
    }

    @Override
    public String toString() {
        return json();
    }
}
