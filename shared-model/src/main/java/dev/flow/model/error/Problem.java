package dev.flow.model.error;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * RFC 9457 problem details ({@value #MEDIA_TYPE}) for a {@link FlowError}, with the Flow extensions {@code errors}
 * (field errors) and {@code suggestions}.
 *
 * @param type        {@code "https://flow.dev/errors/<ErrorName>"}
 * @param title       the seed's error class name ({@code "ValidationError"}, {@code "TimeoutError"}, ...)
 * @param status      HTTP status
 * @param detail      the human message
 * @param instance    URI of this occurrence (e.g. the request path), or null
 * @param errors      field errors (validation only; empty otherwise)
 * @param suggestions what the caller could do instead
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Problem(String type, String title, int status, String detail, String instance,
                      List<FieldError> errors, List<String> suggestions) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://flow.dev/errors/";

    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
        suggestions = suggestions == null ? List.of() : List.copyOf(suggestions);
    }

    public static Problem from(FlowError error) {
        return from(error, null);
    }

    public static Problem from(FlowError error, String instance) {
        List<FieldError> errors = error instanceof ValidationError v ? v.errors() : List.of();
        return new Problem(TYPE_BASE + error.errorName(), error.errorName(), error.httpStatus(), error.getMessage(),
                instance, errors, error.suggestions());
    }

    /**
     * The typed exception this problem describes. A problem from another source (no Flow type) is mapped by its
     * status; anything unrecognised becomes a {@link FlowServiceError}.
     */
    public FlowError toException() {
        String message = detail != null ? detail : (title != null ? title : "HTTP " + status);
        return switch (errorName()) {
            case "ValidationError" -> new ValidationError(message, errors, suggestions);
            case "AuthenticationError" -> new AuthenticationError(message, suggestions);
            case "ResourceNotFoundError" -> new ResourceNotFoundError(message, suggestions);
            case "InsufficientQuotaError" -> new InsufficientQuotaError(message, suggestions);
            case "TaskExecutionError" -> new TaskExecutionError(message, suggestions);
            case "TimeoutError" -> new FlowTimeoutError(message, suggestions);
            default -> switch (status) {
                case 401 -> new AuthenticationError(message, suggestions);
                case 404 -> new ResourceNotFoundError(message, suggestions);
                case 400, 422 -> new ValidationError(message, errors, suggestions);
                case 504 -> new FlowTimeoutError(message, suggestions);
                default -> new FlowServiceError(message, status >= 400 && status <= 599 ? status : 500,
                        suggestions, null);
            };
        };
    }

    private String errorName() {
        if (type != null && type.startsWith(TYPE_BASE)) {
            return type.substring(TYPE_BASE.length());
        }
        return "";
    }
}
