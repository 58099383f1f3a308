package dev.flow.submitter.rest;

import dev.flow.model.error.Problem;
import dev.flow.service.rest.ProblemResponses;
import dev.flow.submitter.service.ExecSessions;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** No exec session free: 429 problem+json with {@code Retry-After}, so a client backs off instead of hammering. */
public class ExecBusyMapper {

    @ServerExceptionMapper
    public Response busy(ExecSessions.Busy busy, UriInfo uri) {
        return Response.fromResponse(ProblemResponses.problem(Problem.from(busy.error(), uri.getPath())))
                .header("Retry-After", String.valueOf(busy.retryAfterSeconds()))
                .build();
    }
}
