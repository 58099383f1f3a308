package dev.flow.submitter.rest;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.submitter.repository.TaskRepository.Position;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The opaque {@code cursor} of {@code GET /v1/tasks}: the last row's (created_at, id), base64url. Opaque so the
 * encoding can change; it carries no filter, so a client must send the same filters with it (different filters give
 * a consistent but different page, never an error or a leak: the project check is made on every call).
 */
final class TaskCursor {

    private static final String VERSION = "t1";

    private TaskCursor() {
    }

    static String encode(Position position) {
        String raw = VERSION + "|" + position.createdAt().getEpochSecond() + "|" + position.createdAt().getNano()
                + "|" + position.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Position decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\|", -1);
            if (parts.length != 4 || !VERSION.equals(parts[0]) || !parts[3].matches("^task-[0-9a-z]{16}$")) {
                throw new IllegalArgumentException("not a task cursor");
            }
            Instant at = Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            // a forged cursor far out of PostgreSQL's timestamp range would fail in the query, not here
            if (at.isBefore(dev.flow.service.rest.QueryParams.EARLIEST) || at.isAfter(dev.flow.service.rest.QueryParams.LATEST)) {
                throw new IllegalArgumentException("out of range");
            }
            return new Position(at, parts[3]);
        } catch (RuntimeException e) {
            throw ValidationError.of(new FieldError("cursor", "is not a cursor this API returned",
                    "pass the next_cursor of the previous page unchanged, or leave cursor out for the first page"));
        }
    }
}
