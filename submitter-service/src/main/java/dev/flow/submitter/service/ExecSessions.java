package dev.flow.submitter.service;

import dev.flow.model.error.FlowServiceError;
import dev.flow.submitter.config.ExecConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the exec sessions open in this replica, in all and per project, and refuses one over either cap: each holds
 * an SSH session, a thread and output buffers, so their number must stay bounded whatever clients do.
 */
@ApplicationScoped
public class ExecSessions {

    /** A held session slot; closing it (more than once is harmless) frees the slot. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** No slot is free: a 429 with {@code Retry-After} (mapped in rest/). */
    public static final class Busy extends RuntimeException {
        private final FlowServiceError error;
        private final long retryAfterSeconds;

        Busy(FlowServiceError error, long retryAfterSeconds) {
            super(error.getMessage(), null, false, false);
            this.error = error;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public FlowServiceError error() {
            return error;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private final ExecConfig config;
    private final Map<String, Integer> perProject = new HashMap<>();
    private int total;

    public ExecSessions(ExecConfig config) {
        this.config = config;
    }

    /** Takes a slot for {@code project}, or throws {@link Busy}. Never waits. */
    public synchronized Permit acquire(String project) {
        int max = config.exec().maxSessions();
        int maxProject = config.exec().maxSessionsPerProject();
        int ofProject = perProject.getOrDefault(project, 0);
        if (total >= max || ofProject >= maxProject) {
            long retry = Math.max(1, config.exec().busyRetryAfter().toSeconds());
            String which = ofProject >= maxProject
                    ? "project " + project + " already has " + ofProject + " exec session(s) open (the limit is "
                    + maxProject + ")"
                    : "this service already has " + total + " exec session(s) open (the limit is " + max + ")";
            throw new Busy(new FlowServiceError("too many exec sessions: " + which, 429, List.of(
                    "retry after " + retry + " s",
                    "end streamed execs you no longer read; run long work as a task and follow its logs instead"),
                    null), retry);
        }
        total++;
        perProject.merge(project, 1, Integer::sum);
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                release(project);
            }
        };
    }

    private synchronized void release(String project) {
        total--;
        perProject.computeIfPresent(project, (p, n) -> n <= 1 ? null : n - 1);
    }

    /** Sessions open now (for tests and health details). */
    public synchronized int open() {
        return total;
    }
}
