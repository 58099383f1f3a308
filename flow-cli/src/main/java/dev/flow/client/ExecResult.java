package dev.flow.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** What {@code task.shell(command, node)} ran: {@code POST /v1/tasks/{id}/exec}'s answer. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExecResult(String stdout, String stderr, int exitCode, Integer node, Long durationMs) {
}
