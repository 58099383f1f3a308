package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * Instance status: the 13 values of the spec plus three seen in real clients but absent from it
 * ({@code STATUS_SCHEDULED}, {@code STATUS_STOPPED}, {@code STATUS_PENDING}). Constant names equal the wire values.
 */
public enum InstanceStatus {
    STATUS_NEW, STATUS_CONFIRMED, STATUS_INITIALIZING, STATUS_STARTING, STATUS_RUNNING, STATUS_STOPPING,
    STATUS_TERMINATED, STATUS_RELOCATING, STATUS_PREEMPTING, STATUS_PREEMPTED, STATUS_REPLACED, STATUS_PAUSED,
    STATUS_ERROR, STATUS_SCHEDULED, STATUS_STOPPED, STATUS_PENDING,
    @JsonEnumDefaultValue UNKNOWN
}
