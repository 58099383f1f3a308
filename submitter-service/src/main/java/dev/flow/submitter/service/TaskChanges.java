package dev.flow.submitter.service;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Flow.Processor;

/**
 * The in-process hub between the read model and the status streams ({@code GET /v1/tasks/{id}/events}): the Kafka
 * consumers announce the id of a task whose row they just committed; each open stream listens for its own id and
 * re-reads the row. Only ids travel, so a stream always sends the committed state, never an event's guess of it.
 *
 * <p>Never blocks the publisher: each listener keeps only the latest announcement while it is busy re-reading (one
 * re-read after a burst shows the burst's end state), so a slow client cannot slow the consumer or other streams.
 */
@ApplicationScoped
public class TaskChanges {

    // serialized: the status and cost consumers announce from their own threads
    private final Processor<String, String> hub = BroadcastProcessor.<String>create().serialized();

    public void changed(String taskId) {
        hub.onNext(taskId);
    }

    /** Announcements for one task, from now on (a signal to re-read: it carries nothing else). */
    public Multi<String> of(String taskId) {
        return Multi.createFrom().publisher(hub).filter(taskId::equals).onOverflow().dropPreviousItems();
    }
}
