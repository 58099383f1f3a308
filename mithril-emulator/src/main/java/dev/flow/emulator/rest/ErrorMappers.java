package dev.flow.emulator.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flow.emulator.api.ApiException;
import dev.flow.emulator.api.ValidationFailure;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;
import java.util.Map;

/** Errors in FastAPI's shapes: 422 {@code {"detail":[...]}}, everything else {@code {"detail":"..."}}. */
public class ErrorMappers {

    public static Response detail(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("detail", message)).build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return detail(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response validation(ValidationFailure e) {
        return Response.status(422).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("detail", e.details())).build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        int column = e.getLocation() == null ? 0 : (int) Math.max(0, e.getLocation().getCharOffset());
        return Response.status(422).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("detail", List.of(
                new ValidationFailure.Detail(List.of("body", column), "JSON decode error", "json_invalid")))).build();
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return detail(404, "Not Found");
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return detail(405, "Method Not Allowed");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        return detail(status, status >= 500 ? "Internal Server Error" : e.getMessage());
    }
}
