package dev.flow.service.tracing;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The trace of each task this service has heard of, for the events it publishes later from its own schedule (a log
 * line tailed over SSH, a periodic cost update): those run outside the consumed record's context, so they would start
 * new traces. Filled from the {@code traceparent} header of the task's records (keyed by task id); the first one seen
 * is kept, since every record of a task carries the same trace. Bounded (least recently used tasks are forgotten),
 * and in memory only: after a restart a task's trace is known again from its next record.
 */
@ApplicationScoped
public class TaskTraces {

    static final int CAPACITY = 100_000;

    private final Map<String, String> byTask = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Remembers the record's trace for its key (the task id), unless one is known already. */
    public void remember(ConsumerRecord<?, ?> record) {
        if (record.key() == null) {
            return;
        }
        TraceParents.fromHeaders(record.headers()).ifPresent(traceparent -> {
            synchronized (byTask) {
                byTask.putIfAbsent(record.key().toString(), traceparent);
            }
        });
    }

    /** The task's traceparent, or null when none is known. */
    public String of(String taskId) {
        synchronized (byTask) {
            return byTask.get(taskId);
        }
    }

    /** The message, made to continue the task's trace when one is known. */
    public <T> Message<T> continueTrace(String taskId, Message<T> message) {
        return TraceParents.childOf(message, of(taskId));
    }
}
