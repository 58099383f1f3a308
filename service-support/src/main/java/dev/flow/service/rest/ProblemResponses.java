package dev.flow.service.rest;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.flow.model.error.AuthenticationError;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.Problem;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of every Flow service leaves as {@code application/problem+json}: the seed's error class as its type,
 * the field, the reason and suggestions. One mapper per failure family, shared by all services.
 */
public class ProblemResponses {

    private static final Logger LOG = Logger.getLogger(ProblemResponses.class);

    @ServerExceptionMapper
    public Response flowError(FlowError error, UriInfo uri) {
        if (error.httpStatus() >= 500) {
            LOG.errorf(error, "%s on %s", error.errorName(), uri.getPath());
        }
        Response problem = problem(Problem.from(error, uri.getPath()));
        if (error instanceof FlowServiceError service && service.retryAfter().isPresent()) {
            // whole seconds, at least 1: what RFC 9110 allows and what a generic client's backoff reads
            long seconds = Math.max(1, (service.retryAfter().get().toMillis() + 999) / 1000);
            return Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, seconds).build();
        }
        return problem;
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException violation, UriInfo uri) {
        List<FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : violation.getConstraintViolations()) {
            errors.add(FieldError.of(fieldOf(v.getPropertyPath().toString()), v.getMessage()));
        }
        return problem(Problem.from(ValidationError.of(errors), uri.getPath()));
    }

    /**
     * Malformed or mistyped JSON: name the field and what was expected, never echo the value (it may be secret).
     * The Jackson subtypes are listed so this wins over Quarkus's own bare-400 mappers for them.
     */
    @ServerExceptionMapper({JsonProcessingException.class, MismatchedInputException.class,
        InvalidFormatException.class, UnrecognizedPropertyException.class, JsonParseException.class})
    public Response unreadableJson(JsonProcessingException error, UriInfo uri) {
        return problem(Problem.from(ValidationError.of(jsonFieldError(error)), uri.getPath()));
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException error, UriInfo uri) {
        return Response.fromResponse(problem(Problem.from(new AuthenticationError(
                        "a valid bearer token is required",
                        List.of("send `Authorization: Bearer <token>`; the local run prints a dev token")),
                        uri.getPath())))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }

    /** A token that may not touch a resource learns nothing about it: it is simply not found. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException error, UriInfo uri) {
        return problem(Problem.from(new ResourceNotFoundError("not found: " + uri.getPath()), uri.getPath()));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException error, UriInfo uri) {
        int status = error.getResponse().getStatus();
        if (status == 404) {
            return problem(Problem.from(new ResourceNotFoundError("not found: " + uri.getPath()), uri.getPath()));
        }
        if (status == 401) {
            return unauthenticated(error, uri);
        }
        if (status == 400) {
            return problem(Problem.from(new ValidationError(error.getMessage(), List.of()), uri.getPath()));
        }
        if (status == 415) {
            return problem(EdgeProblems.edge(415, "unsupported Content-Type: this endpoint reads application/json",
                    "send Content-Type: application/json", uri.getPath()));
        }
        if (status == 405 || status == 406 || status == 413 || status == 414) {
            return problem(EdgeProblems.edge(status, error.getMessage(), status == 406
                    ? "accept application/json" : "see /q/openapi for this endpoint", uri.getPath()));
        }
        return problem(Problem.from(new FlowServiceError(error.getMessage(), status, List.of(), error),
                uri.getPath()));
    }

    public static Response problem(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    static FieldError jsonFieldError(JsonProcessingException error) {
        if (error instanceof UnrecognizedPropertyException unknown) {
            String field = path(unknown);
            return new FieldError(field, "is not a known field", closest(unknown));
        }
        if (error instanceof dev.flow.model.json.JsonLimits.OutOfBounds bounds) {
            return FieldError.of(path(bounds), bounds.reason());
        }
        if (error instanceof InvalidFormatException invalid) {
            return FieldError.of(path(invalid), "must be " + describe(invalid.getTargetType()));
        }
        if (error instanceof MismatchedInputException mismatched) {
            return FieldError.of(path(mismatched), mismatched.getTargetType() == null
                    ? "has the wrong type" : "must be " + describe(mismatched.getTargetType()));
        }
        return FieldError.of("body", "is not valid JSON: " + error.getOriginalMessage());
    }

    private static String closest(UnrecognizedPropertyException unknown) {
        if (unknown.getKnownPropertyIds() == null) {
            return null;
        }
        List<String> known = unknown.getKnownPropertyIds().stream().map(String::valueOf).toList();
        return dev.flow.model.error.Suggestions.closest(unknown.getPropertyName(), known, 1).stream()
                .findFirst().map(s -> "did you mean `" + s + "`?").orElse(null);
    }

    private static String path(JsonMappingException error) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : error.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(java.util.Locale.ROOT);
        }
        return "a " + type.getSimpleName();
    }

    /**
     * A method parameter's violation path is {@code method.parameter[.property...]}: the field a client sent is the
     * property path, or the parameter itself (a query or path parameter).
     */
    static String fieldOf(String propertyPath) {
        String[] parts = propertyPath.split("\\.", 3);
        return switch (parts.length) {
            case 3 -> parts[2];
            case 2 -> parts[1];
            default -> propertyPath;
        };
    }
}
