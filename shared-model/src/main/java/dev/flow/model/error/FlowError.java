package dev.flow.model.error;

import java.util.List;

/**
 * Root of the seed's error classes ({@code flow.errors}). Each maps to an HTTP status and to an RFC 9457 problem
 * ({@link Problem#from(FlowError)}), and back ({@link Problem#toException()}), so a client rebuilds the typed error.
 */
public abstract sealed class FlowError extends RuntimeException
        permits ValidationError, AuthenticationError, ResourceNotFoundError, InsufficientQuotaError,
        TaskExecutionError, FlowTimeoutError, FlowServiceError {

    private final List<String> suggestions;

    protected FlowError(String message, List<String> suggestions, Throwable cause) {
        super(message, cause);
        this.suggestions = suggestions == null ? List.of() : List.copyOf(suggestions);
    }

    /** The seed's class name, used as problem title and in the problem type URI ({@code "TimeoutError"}). */
    public abstract String errorName();

    /** HTTP status of this error. */
    public abstract int httpStatus();

    /** What the caller could do instead (the seed's {@code e.suggestions}). */
    public List<String> suggestions() {
        return suggestions;
    }
}
