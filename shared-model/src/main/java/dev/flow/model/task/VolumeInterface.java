package dev.flow.model.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Mithril volume kind: {@code block} (one instance) or {@code file} (shared file system). JSON lowercase. */
public enum VolumeInterface {
    BLOCK, FILE;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static VolumeInterface parse(String text) {
        for (VolumeInterface v : values()) {
            if (v.json().equals(text)) {
                return v;
            }
        }
        throw new IllegalArgumentException("expected \"block\" or \"file\", got \"" + text + "\"");
    }
}
