package dev.flow.submitter.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.submitter.service.InvocationService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/** An invocation: its task, its status and, once known, the function's JSON result or its error. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
@Schema(name = "Invocation")
public record InvocationView(
        String id,
        String taskId,
        @Schema(enumeration = {"pending", "running", "succeeded", "failed"}) String status,
        @Schema(description = "the function's return value (any JSON) when succeeded") JsonNode result,
        @Schema(description = "{type, message, traceback} when failed") JsonNode error,
        String moduleName,
        String function,
        @Schema(description = "the task's own status") String taskStatus,
        Instant createdAt,
        Instant finishedAt) {

    static InvocationView of(InvocationService.View v) {
        return new InvocationView(v.invocation().id, v.invocation().taskId, v.status(), v.result(), v.error(),
                v.invocation().moduleName, v.invocation().functionName, v.task().status, v.invocation().createdAt,
                v.invocation().finishedAt);
    }
}
