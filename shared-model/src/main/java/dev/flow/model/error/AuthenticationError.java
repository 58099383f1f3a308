package dev.flow.model.error;

import java.util.List;

/** Missing or invalid credentials (HTTP 401). */
public final class AuthenticationError extends FlowError {

    public AuthenticationError(String message) {
        this(message, List.of(), null);
    }

    public AuthenticationError(String message, List<String> suggestions) {
        this(message, suggestions, null);
    }

    public AuthenticationError(String message, List<String> suggestions, Throwable cause) {
        super(message, suggestions, cause);
    }

    @Override
    public String errorName() {
        return "AuthenticationError";
    }

    @Override
    public int httpStatus() {
        return 401;
    }
}
