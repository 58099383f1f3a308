package dev.flow.model.error;

import java.util.List;

/** A task failed or cannot do what was asked in its current state (HTTP 409). */
public final class TaskExecutionError extends FlowError {

    public TaskExecutionError(String message) {
        this(message, List.of(), null);
    }

    public TaskExecutionError(String message, List<String> suggestions) {
        this(message, suggestions, null);
    }

    public TaskExecutionError(String message, List<String> suggestions, Throwable cause) {
        super(message, suggestions, cause);
    }

    @Override
    public String errorName() {
        return "TaskExecutionError";
    }

    @Override
    public int httpStatus() {
        return 409;
    }
}
