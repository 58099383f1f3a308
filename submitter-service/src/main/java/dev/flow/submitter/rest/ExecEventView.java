package dev.flow.submitter.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.error.Problem;
import dev.flow.submitter.service.ExecService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One element of a streamed {@code exec}: {@code stdout}/{@code stderr} with {@code data}, then {@code exit} with
 * {@code exit_code}, {@code node}, {@code duration_ms} — or {@code error} with a problem (e.g. a TimeoutError) when
 * the command could not run to its end. The last element is always {@code exit} or {@code error}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "ExecEvent")
public record ExecEventView(String type, String data, Integer exitCode, Integer node, Long durationMs,
                            Problem error) {

    static ExecEventView of(ExecService.Event event) {
        return switch (event) {
            case ExecService.Event.Output o -> new ExecEventView(o.stream(), o.data(), null, null, null, null);
            case ExecService.Event.Exit e -> new ExecEventView("exit", null, e.exitCode(), e.node(), e.durationMs(),
                    null);
            case ExecService.Event.Failed f -> new ExecEventView("error", null, null, null, null,
                    Problem.from(f.error()));
        };
    }
}
