package dev.flow.submitter.rest;

import dev.flow.model.error.ValidationError;
import dev.flow.submitter.repository.TaskRepository.Position;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskCursorTest {

    @Test
    void aCursorRoundTripsItsPositionToTheMicrosecond() {
        Position position = new Position(Instant.parse("2026-11-29T21:00:00.123456Z"), "task-0k3x9q2m7a1b4c5d");
        String cursor = TaskCursor.encode(position);
        assertThat(cursor).matches("^[A-Za-z0-9_-]+$");
        assertThat(TaskCursor.decode(cursor)).isEqualTo(position);
    }

    @Test
    void anythingElseIsA422OnCursor() {
        for (String bad : new String[] {"x", "!!!", Base64.getUrlEncoder().encodeToString("t1|1|2|nope".getBytes()),
                Base64.getUrlEncoder().encodeToString("t9|1|2|task-0k3x9q2m7a1b4c5d".getBytes()),
                Base64.getUrlEncoder().encodeToString("t1|x|2|task-0k3x9q2m7a1b4c5d".getBytes())}) {
            assertThatThrownBy(() -> TaskCursor.decode(bad)).isInstanceOf(ValidationError.class)
                    .satisfies(e -> assertThat(((ValidationError) e).errors().getFirst().field()).isEqualTo("cursor"));
        }
    }
}
