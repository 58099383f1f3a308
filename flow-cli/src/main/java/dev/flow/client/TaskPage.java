package dev.flow.client;

import java.util.List;

/** One page of {@code GET /v1/tasks}: newest first, and the cursor of the next page ({@code null} on the last). */
record TaskPage(List<TaskView> data, String nextCursor) {
}
