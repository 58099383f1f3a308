package dev.flow.model.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Why a task changed status (ARCHITECTURE "Task status"). JSON is a string: {@code "PREEMPTED"},
 * {@code "WORKLOAD_EXIT(137)"}.
 *
 * <p>Beyond the design's list this adds {@code RESUBMITTED} (a preempted task got a new bid), {@code PAUSED} and
 * {@code RESUMED} (bid paused/unpaused), so every status change the poller can observe has a reason.
 *
 * @param kind     the reason
 * @param exitCode the workload's exit code; present exactly when {@code kind} is {@link Kind#WORKLOAD_EXIT}
 */
public record TransitionReason(Kind kind, Integer exitCode) {

    public enum Kind {
        SUBMITTED, ALLOCATED, PREEMPTED, RELOCATED, USER_CANCEL, MAX_RUNTIME, BUDGET_STOP, WORKLOAD_EXIT,
        PROVIDER_ERROR, ORPHAN, RESUBMITTED, PAUSED, RESUMED
    }

    public static final TransitionReason SUBMITTED = new TransitionReason(Kind.SUBMITTED, null);
    public static final TransitionReason ALLOCATED = new TransitionReason(Kind.ALLOCATED, null);
    public static final TransitionReason PREEMPTED = new TransitionReason(Kind.PREEMPTED, null);
    public static final TransitionReason RELOCATED = new TransitionReason(Kind.RELOCATED, null);
    public static final TransitionReason USER_CANCEL = new TransitionReason(Kind.USER_CANCEL, null);
    public static final TransitionReason MAX_RUNTIME = new TransitionReason(Kind.MAX_RUNTIME, null);
    public static final TransitionReason BUDGET_STOP = new TransitionReason(Kind.BUDGET_STOP, null);
    public static final TransitionReason PROVIDER_ERROR = new TransitionReason(Kind.PROVIDER_ERROR, null);
    public static final TransitionReason ORPHAN = new TransitionReason(Kind.ORPHAN, null);
    public static final TransitionReason RESUBMITTED = new TransitionReason(Kind.RESUBMITTED, null);
    public static final TransitionReason PAUSED = new TransitionReason(Kind.PAUSED, null);
    public static final TransitionReason RESUMED = new TransitionReason(Kind.RESUMED, null);

    private static final Pattern WORKLOAD_EXIT = Pattern.compile("^WORKLOAD_EXIT\\((-?\\d{1,10})\\)$");

    public TransitionReason {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.WORKLOAD_EXIT) != (exitCode != null)) {
            throw new IllegalArgumentException(kind == Kind.WORKLOAD_EXIT
                    ? "WORKLOAD_EXIT needs an exit code" : kind + " carries no exit code");
        }
    }

    public static TransitionReason workloadExit(int exitCode) {
        return new TransitionReason(Kind.WORKLOAD_EXIT, exitCode);
    }

    /** Parses {@code "USER_CANCEL"} or {@code "WORKLOAD_EXIT(137)"} (case-insensitive). */
    @JsonCreator
    public static TransitionReason parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("transition reason is missing");
        }
        String upper = text.strip().toUpperCase(java.util.Locale.ROOT);
        var m = WORKLOAD_EXIT.matcher(upper);
        if (m.matches()) {
            try {
                return workloadExit(Integer.parseInt(m.group(1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("exit code out of range in \"" + text + "\"", e);
            }
        }
        for (Kind k : Kind.values()) {
            if (k != Kind.WORKLOAD_EXIT && k.name().equals(upper)) {
                return new TransitionReason(k, null);
            }
        }
        throw new IllegalArgumentException("unknown transition reason \"" + text + "\"; expected one of "
                + java.util.Arrays.toString(Kind.values()) + " (WORKLOAD_EXIT as \"WORKLOAD_EXIT(<code>)\")");
    }

    /** A workload exit with code 0 means success; the task ends completed. */
    public boolean isSuccessfulExit() {
        return kind == Kind.WORKLOAD_EXIT && exitCode == 0;
    }

    @JsonValue
    @Override
    public String toString() {
        return kind == Kind.WORKLOAD_EXIT ? "WORKLOAD_EXIT(" + exitCode + ")" : kind.name();
    }
}
