package dev.flow.logs.service;

import dev.flow.model.status.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Task id → project (and last known status), from {@code TaskStatusChanged} and {@code TaskSnapshot}: who may view a
 * task's logs. Every replica keeps the whole map (its own consumer group reads the status topic from the start), because any replica may serve
 * any viewer.
 */
@ApplicationScoped
public class TaskDirectory {

    public record Entry(String project, TaskStatus status) {
    }

    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();

    public void remember(TaskObservation observation) {
        if (observation.project() != null) {
            tasks.put(observation.taskId(), new Entry(observation.project(), observation.status()));
        }
    }

    public Optional<Entry> find(String taskId) {
        return Optional.ofNullable(tasks.get(taskId));
    }
}
