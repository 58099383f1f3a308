package dev.flow.client;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One line of a task's output, as the log-streamer sends it. {@code token} is the line's position: a viewer that
 * reconnects with {@code after=<token>} continues right after it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LogLine(String taskId, int node, long seq, Instant ts, String stream, String text, String token) {
}
