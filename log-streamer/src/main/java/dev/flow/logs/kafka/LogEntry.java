package dev.flow.logs.kafka;

import dev.flow.model.event.LogLine;

/** A log line with its offset in the task's partition of {@code flow.task.logs}: the viewer's resume token. */
public record LogEntry(long offset, LogLine line) {

    /** The UTF-8 size of the line's text: what byte budgets (tails, viewer buffers) count. */
    public long textBytes() {
        return utf8Length(line.text());
    }

    /** The UTF-8 length of {@code text} without encoding it. */
    public static long utf8Length(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4; // with its low surrogate: one 4-byte character
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
