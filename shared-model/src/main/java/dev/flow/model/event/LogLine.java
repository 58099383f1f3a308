package dev.flow.model.event;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of workload output.
 *
 * @param node node rank
 * @param seq  per (task, node) sequence number, increasing: lets readers drop duplicates after a reconnect
 * @param ts   when the line was read
 * @param text the line without its newline
 */
@EventType("dev.flow.task.log.line.v1")
public record LogLine(String taskId, int node, long seq, Instant ts, LogStream stream, String text)
        implements TaskLogEvent {

    public LogLine {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String key() {
        return taskId;
    }

    @Override
    public Instant time() {
        return ts;
    }
}
