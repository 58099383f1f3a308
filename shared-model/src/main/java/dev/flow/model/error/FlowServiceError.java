package dev.flow.model.error;

import java.util.List;

/**
 * Any other failure of the platform or its provider (HTTP 5xx other than 504, e.g. Mithril unavailable). Not one of
 * the seed's named classes: it is the seed's plain {@code FlowError}, so its problem type says {@code FlowError}.
 */
public final class FlowServiceError extends FlowError {

    private final int httpStatus;

    public FlowServiceError(String message) {
        this(message, 500, List.of(), null);
    }

    public FlowServiceError(String message, int httpStatus, List<String> suggestions, Throwable cause) {
        super(message, suggestions, cause);
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, not " + httpStatus);
        }
        this.httpStatus = httpStatus;
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
