package dev.flow.model.error;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Any other failure of the platform or its provider (HTTP 5xx other than 504, e.g. Mithril unavailable). Not one of
 * the seed's named classes: it is the seed's plain {@code FlowError}, so its problem type says {@code FlowError}.
 */
public final class FlowServiceError extends FlowError {

    private final int httpStatus;
    private final Duration retryAfter;

    public FlowServiceError(String message) {
        this(message, 500, List.of(), null);
    }

    public FlowServiceError(String message, int httpStatus, List<String> suggestions, Throwable cause) {
        this(message, httpStatus, suggestions, cause, null);
    }

    /**
     * @param retryAfter when the same request may succeed (answered as {@code Retry-After}); null when a retry is not
     *                   known to help
     */
    public FlowServiceError(String message, int httpStatus, List<String> suggestions, Throwable cause,
                            Duration retryAfter) {
        super(message, suggestions, cause);
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, not " + httpStatus);
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("Retry-After cannot be negative: " + retryAfter);
        }
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    /** When a retry of the same request may succeed: the response's {@code Retry-After}. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public String errorName() {
        return "FlowError";
    }

    @Override
    public int httpStatus() {
        return httpStatus;
    }
}
