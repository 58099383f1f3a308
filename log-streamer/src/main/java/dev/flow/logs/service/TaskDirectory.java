package dev.flow.logs.service;

import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Task id → project and last known status, from {@code TaskStatusChanged} and {@code TaskSnapshot}: who may view a
 * task's logs, and what the viewer page lists. Every replica keeps the whole map (its own consumer group reads the
 * status topic from the start), because any replica may serve any viewer.
 */
@ApplicationScoped
public class TaskDirectory {

    /**
     * What is known of a task; {@code at} is the time of the status change it reflects, {@code reason} that change's
     * reason (null when unknown).
     */
    public record Entry(String taskId, String project, TaskStatus status, Instant at, int numInstances,
                        TransitionReason reason) {
    }

    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();

    /** Keeps the newest observation: status events and snapshots arrive from two topics in no fixed order. */
    public void remember(TaskObservation observation) {
        if (observation.project() == null) {
            return;
        }
        Entry entry = new Entry(observation.taskId(), observation.project(), observation.status(), observation.at(),
                observation.numInstances(), observation.reason());
        tasks.merge(observation.taskId(), entry, (old, now) ->
                old.at() != null && now.at() != null && now.at().isBefore(old.at()) ? old : now);
    }

    public Optional<Entry> find(String taskId) {
        return Optional.ofNullable(tasks.get(taskId));
    }

    /** The tasks that pass {@code visible}, most recently changed first. */
    public List<Entry> list(Predicate<Entry> visible) {
        return tasks.values().stream().filter(visible)
                .sorted((a, b) -> compare(b.at(), a.at()))
                .toList();
    }

    private static int compare(Instant a, Instant b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        return a.compareTo(b);
    }
}
