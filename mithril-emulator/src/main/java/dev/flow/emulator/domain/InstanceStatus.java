package dev.flow.emulator.domain;

/** Instance statuses of the SPEC enum. */
public enum InstanceStatus {
    STATUS_NEW, STATUS_CONFIRMED, STATUS_INITIALIZING, STATUS_STARTING, STATUS_RUNNING, STATUS_STOPPING,
    STATUS_TERMINATED, STATUS_RELOCATING, STATUS_PREEMPTING, STATUS_PREEMPTED, STATUS_REPLACED, STATUS_PAUSED,
    STATUS_ERROR;

    /** The next boot step, or null when this status is not a boot step. */
    public InstanceStatus nextBootStep() {
        return switch (this) {
            case STATUS_NEW -> STATUS_CONFIRMED;
            case STATUS_CONFIRMED -> STATUS_INITIALIZING;
            case STATUS_INITIALIZING -> STATUS_STARTING;
            case STATUS_STARTING -> STATUS_RUNNING;
            case STATUS_STOPPING -> STATUS_PAUSED;
            default -> null;
        };
    }

    /** The instance is gone for good (its bid no longer holds it). */
    public boolean isFinal() {
        return this == STATUS_TERMINATED || this == STATUS_PREEMPTED || this == STATUS_REPLACED
                || this == STATUS_ERROR;
    }
}
