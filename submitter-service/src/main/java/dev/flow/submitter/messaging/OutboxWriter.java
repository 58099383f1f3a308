package dev.flow.submitter.messaging;

import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import dev.flow.service.tracing.TaskTraces;
import dev.flow.service.tracing.TraceParents;
import dev.flow.submitter.domain.OutboxEntity;
import dev.flow.submitter.repository.OutboxRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Adds an event to the outbox inside the caller's transaction: the event exists if and only if the change it
 * describes was committed. {@link OutboxRelay} publishes it afterwards.
 */
@ApplicationScoped
public class OutboxWriter {

    private final OutboxRepository outbox;
    private final TaskTraces traces;

    public OutboxWriter(OutboxRepository outbox, TaskTraces traces) {
        this.outbox = outbox;
        this.traces = traces;
    }

    /** Must run inside a transaction ({@code @WithTransaction}). */
    public Uni<OutboxEntity> append(FlowEvent event) {
        return outbox.persist(row(event));
    }

    /** The row of an event, not written yet (its id comes from the sequence when it is). */
    public OutboxEntity row(FlowEvent event) {
        OutboxEntity row = new OutboxEntity();
        row.aggregateId = event.key();
        row.topic = event.topic();
        row.eventType = event.type();
        row.payload = new String(EventCodec.encode(event), StandardCharsets.UTF_8);
        row.eventTime = event.time();
        row.createdAt = Instant.now();
        // the relay publishes from its own context later, so the row keeps the trace its record continues: the
        // task's own (learnt from its records, TaskEventConsumers) so that one task is one trace, else the current
        // one (the POST that creates the task)
        row.traceparent = Optional.ofNullable(traces.of(event.key())).or(TraceParents::current).orElse(null);
        return row;
    }
}
