package dev.flow.poller.service;

import java.util.List;

import dev.flow.model.event.InstanceInfo;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;

/**
 * What one observation of Mithril says a task's status is now.
 *
 * @param instances the nodes of the bid's current allocation, by node index
 * @param allocated whether instances are held (priced at the spot price rather than the limit)
 */
public record Derived(TaskStatus status, TransitionReason reason, List<InstanceInfo> instances, boolean allocated,
                      String message) {

    public Derived {
        instances = List.copyOf(instances);
    }
}
