package dev.flow.cli;

import dev.flow.model.error.AuthenticationError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.status.TaskStatus;

/** What {@code flow} exits with, so scripts can tell outcomes apart (documented in the README and in --help). */
public final class ExitCodes {

    public static final int OK = 0;
    /** The task ended {@code failed} (its workload exited non-zero, or the provider failed it). */
    public static final int TASK_FAILED = 1;
    /** Bad command line (picocli's usage error). */
    public static final int USAGE = 2;
    public static final int VALIDATION = 3;
    public static final int AUTHENTICATION = 4;
    public static final int NOT_FOUND = 5;
    public static final int QUOTA = 6;
    public static final int TASK_EXECUTION = 7;
    public static final int TIMEOUT = 8;
    /** The platform is unreachable or answered 5xx. */
    public static final int SERVICE = 9;
    /** The task ended {@code cancelled}. */
    public static final int TASK_CANCELLED = 10;
    public static final int INTERRUPTED = 130;

    static final String HELP = """
            Exit codes:
              0  success (with --follow/--wait: the task completed)
              1  the task failed            2  usage error
              3  ValidationError            4  AuthenticationError
              5  ResourceNotFoundError      6  InsufficientQuotaError
              7  TaskExecutionError         8  TimeoutError
              9  platform unreachable/5xx  10  the task was cancelled
            130  interrupted
            """;

    private ExitCodes() {
    }

    public static int of(FlowError error) {
        return switch (error) {
            case ValidationError e -> VALIDATION;
            case AuthenticationError e -> AUTHENTICATION;
            case ResourceNotFoundError e -> NOT_FOUND;
            case InsufficientQuotaError e -> QUOTA;
            case TaskExecutionError e -> TASK_EXECUTION;
            case FlowTimeoutError e -> TIMEOUT;
            case FlowServiceError e -> SERVICE;
        };
    }

    /** The exit code of a task's final status. */
    public static int of(TaskStatus status) {
        return switch (status) {
            case COMPLETED -> OK;
            case CANCELLED -> TASK_CANCELLED;
            case FAILED -> TASK_FAILED;
            default -> OK;
        };
    }
}
