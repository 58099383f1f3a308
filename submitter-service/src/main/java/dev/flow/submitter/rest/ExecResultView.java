package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.submitter.service.ExecService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A finished {@code exec}: what the command printed (at most the configured bytes per stream) and its exit code. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "ExecResult")
public record ExecResultView(String stdout, String stderr, int exitCode, int node, long durationMs,
                             @Schema(description = "true when stdout or stderr was longer than the service keeps")
                             boolean truncated) {

    static ExecResultView of(ExecService.Result r) {
        return new ExecResultView(r.stdout(), r.stderr(), r.exitCode(), r.node(), r.durationMs(), r.truncated());
    }
}
