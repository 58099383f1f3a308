package dev.flow.logs.kafka;

import dev.flow.model.event.LogLine;

/** A log line with its offset in the task's partition of {@code flow.task.logs}: the viewer's resume token. */
public record LogEntry(long offset, LogLine line) {
}
