package dev.flow.model.startup;

/** A startup script holds a workload block (or bootstrap) that cannot be decoded. */
public final class WorkloadBlockException extends IllegalArgumentException {

    public WorkloadBlockException(String message) {
        super(message);
    }

    public WorkloadBlockException(String message, Throwable cause) {
        super(message, cause);
    }
}
