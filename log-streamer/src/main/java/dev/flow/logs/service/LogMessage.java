package dev.flow.logs.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.model.event.LogStream;

import java.time.Instant;

/**
 * One WebSocket message: one log line ({@code type} = {@code line}). {@code token} is the line's Kafka offset as a
 * string; a viewer that reconnects with {@code after=<token>} continues right after that line.
 */
public record LogMessage(String type, @JsonProperty("task_id") String taskId, int node, long seq, Instant ts,
                         LogStream stream, String text, String token) {

    public static LogMessage of(LogEntry entry) {
        var line = entry.line();
        return new LogMessage("line", line.taskId(), line.node(), line.seq(), line.ts(), line.stream(), line.text(),
                Long.toString(entry.offset()));
    }

    /** The message as JSON: the WebSocket's text frame and the SSE event's data, the same bytes. */
    public static String json(LogEntry entry) {
        return ViewMessage.encode(of(entry));
    }
}
