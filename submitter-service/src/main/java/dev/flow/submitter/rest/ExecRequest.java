package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * The body of {@code POST /v1/tasks/{id}/exec}: the seed's {@code task.shell(command, node)}.
 *
 * @param command        run by the node's login shell as given (it is the user's own node: no quoting is applied)
 * @param node           0-based node rank, default 0
 * @param timeoutSeconds how long the command may run, default {@code flow.submitter.exec.default-timeout-seconds}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "ExecRequest")
public record ExecRequest(
        @Schema(examples = "nvidia-smi") String command,
        @Schema(examples = "0") Integer node,
        @Schema(examples = "60") Integer timeoutSeconds) {

    static final String EXAMPLE = "{\"command\": \"nvidia-smi\", \"node\": 0, \"timeout_seconds\": 60}";
    private static final List<String> FIELDS = List.of("command", "node", "timeout_seconds");
    /** SSH's exec request carries the command in one packet; far below SSHD's limits, far above a real command. */
    static final int MAX_COMMAND_CHARS = 65_536;

    static ExecRequest parse(String json) {
        ExecRequest request = StrictJson.read(json, ExecRequest.class, FIELDS, EXAMPLE);
        if (request.command() == null || request.command().isBlank()) {
            throw ValidationError.of(new FieldError("command", "is required", "nvidia-smi"));
        }
        if (request.command().length() > MAX_COMMAND_CHARS) {
            throw ValidationError.of(new FieldError("command", "must be at most " + MAX_COMMAND_CHARS
                    + " characters", "copy a script to the node and run it instead"));
        }
        if (request.command().indexOf('\0') >= 0) {
            throw ValidationError.of(FieldError.of("command", "must not contain NUL characters"));
        }
        return request;
    }

    int nodeOrDefault() {
        return node == null ? 0 : node;
    }
}
