package dev.flow.model.error;

import java.util.List;

/** A resource does not exist or is not visible to the caller (HTTP 404). */
public final class ResourceNotFoundError extends FlowError {

    public ResourceNotFoundError(String message) {
        this(message, List.of(), null);
    }

    public ResourceNotFoundError(String message, List<String> suggestions) {
        this(message, suggestions, null);
    }

    public ResourceNotFoundError(String message, List<String> suggestions, Throwable cause) {
        super(message, suggestions, cause);
    }

    @Override
    public String errorName() {
        return "ResourceNotFoundError";
    }

    @Override
    public int httpStatus() {
        return 404;
    }
}
