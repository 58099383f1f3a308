package dev.flow.model.error;

import java.util.List;

/** A quota or budget is exhausted (HTTP 409). */
public final class InsufficientQuotaError extends FlowError {

    public InsufficientQuotaError(String message) {
        this(message, List.of(), null);
    }

    public InsufficientQuotaError(String message, List<String> suggestions) {
        this(message, suggestions, null);
    }

    public InsufficientQuotaError(String message, List<String> suggestions, Throwable cause) {
        super(message, suggestions, cause);
    }

    @Override
    public String errorName() {
        return "InsufficientQuotaError";
    }

    @Override
    public int httpStatus() {
        return 409;
    }
}
