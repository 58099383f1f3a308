package dev.flow.model.error;

import java.util.List;

/**
 * An operation timed out (HTTP 504). The seed calls it {@code TimeoutError}; the Java name avoids
 * {@link java.util.concurrent.TimeoutException} confusion, the problem type and title still say {@code TimeoutError}.
 */
public final class FlowTimeoutError extends FlowError {

    public FlowTimeoutError(String message) {
        this(message, List.of(), null);
    }

    public FlowTimeoutError(String message, List<String> suggestions) {
        this(message, suggestions, null);
    }

    public FlowTimeoutError(String message, List<String> suggestions, Throwable cause) {
        super(message, suggestions, cause);
    }

    @Override
    public String errorName() {
        return "TimeoutError";
    }

    @Override
    public int httpStatus() {
        return 504;
    }
}
