package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * One page of {@code GET /v1/tasks}, in Mithril's list envelope.
 *
 * @param data       the tasks, newest first
 * @param nextCursor pass it as {@code cursor} for the next page; null on the last page
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "TaskPage", description = "A page of tasks, newest first; next_cursor is null on the last page")
public record TaskPage(List<TaskView> data, String nextCursor) {
}
