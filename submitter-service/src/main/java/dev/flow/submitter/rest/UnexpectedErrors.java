package dev.flow.submitter.rest;

import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.Problem;
import dev.flow.service.rest.ProblemResponses;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.UUID;

/**
 * Anything no other mapper knows (a bug, a crash) leaves as a {@code FlowError} problem (500) with an error id to
 * find the log line, never as Quarkus's default body with a stack trace. The more specific mappers of
 * service-support ({@code FlowError}, JSON, auth, {@code WebApplicationException}) still win.
 */
public class UnexpectedErrors {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrors.class);

    @ServerExceptionMapper
    public Response unexpected(RuntimeException error, UriInfo uri) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(error, "unexpected error %s on %s", id, uri.getPath());
        FlowServiceError problem = new FlowServiceError("internal error " + id + "; the request may have been "
                + "partly done", 500, List.of("retry with the same Idempotency-Key: a task is never created twice"),
                null);
        return ProblemResponses.problem(Problem.from(problem, uri.getPath()));
    }
}
