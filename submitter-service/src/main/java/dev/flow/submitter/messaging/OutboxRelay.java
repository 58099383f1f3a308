package dev.flow.submitter.messaging;

import dev.flow.service.vertx.VertxContexts;
import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import dev.flow.service.metrics.DeadLetters;
import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.domain.OutboxEntity;
import dev.flow.submitter.repository.Lease;
import dev.flow.submitter.repository.OutboxRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes outbox rows to Kafka, oldest first, one at a time: a row is marked sent only after the broker acked it,
 * and a failure stops the pass (so no later event of a task overtakes an earlier one); the next pass retries it.
 * A row Kafka can never take (too large for the producer or the broker, unencodable) is the exception: it is set
 * aside ({@code dead_at}, a WARN, {@link #deadLetters()}) and the pass goes on, so one bad row never stops the
 * events of every task.
 * Runs after every commit that wrote events ({@link #kick()}) and on a schedule (after a crash or a broker outage).
 * Delivery is at-least-once: a row sent but not yet marked is sent again with the same {@code ce_id} (the row id).
 * <p>
 * Only the instance holding the {@link Lease} relays (another one, e.g. the new pod of a rolling deploy, leaves its
 * rows to the holder's next pass): two relays would race on the same rows and publish them twice, and the order of a
 * task's events would then depend on which relay won. A pass stops at the next row when the lease lapses.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxRepository outbox;
    private final MutinyEmitter<byte[]> lifecycle;
    private final SubmitterConfig config;
    private final Vertx vertx;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final DeadLetters deadLetterMetric;
    private final Lease lease;

    public OutboxRelay(OutboxRepository outbox, @Channel("lifecycle-out") MutinyEmitter<byte[]> lifecycle,
                       SubmitterConfig config, Vertx vertx, DeadLetters deadLetterMetric, Lease lease) {
        this.lease = lease;
        this.outbox = outbox;
        this.lifecycle = lifecycle;
        this.config = config;
        this.vertx = vertx;
        this.deadLetterMetric = deadLetterMetric;
    }

    @Scheduled(every = "${flow.submitter.outbox.interval:2s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        // a failed pass is retried by the next one; it is not an error of the scheduler
        return relay().onFailure().recoverWithItem(failure -> {
            LOG.warnf("outbox relay pass failed, retried in the next one: %s", failure.toString());
            return null;
        });
    }

    /** Starts a pass now on a fresh Vert.x context (its own DB session), without waiting for it. */
    public void kick() {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        // Hibernate Reactive only runs on a context marked safe (not shared with another request)
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> relay().subscribe().with(
                done -> { },
                failure -> LOG.warnf("outbox relay pass failed: %s", failure.toString())));
    }

    /**
     * One pass (or none, when a pass is already running: that pass goes again before it ends; or when this instance
     * does not hold the lease).
     */
    public Uni<Void> relay() {
        if (!lease.held()) {
            return Uni.createFrom().voidItem();
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().voidItem();
        }
        Executor context = VertxContexts.current();
        return Panache.withSession(() -> outbox.unsent(config.outbox().batchSize()))
                .chain(rows -> publish(rows, 0, context))
                .eventually(() -> {
                    running.set(false);
                    if (again.getAndSet(false)) {
                        kick();
                    }
                });
    }

    private Uni<Void> publish(List<OutboxEntity> rows, int index, Executor context) {
        if (!lease.held()) {
            return Uni.createFrom().voidItem(); // the holder that took over publishes the rest
        }
        if (index >= rows.size()) {
            if (rows.size() == config.outbox().batchSize()) {
                again.set(true); // a full batch: there may be more
            }
            return Uni.createFrom().voidItem();
        }
        OutboxEntity row = rows.get(index);
        Message<byte[]> message;
        try {
            Optional<FlowEvent> event = EventCodec.decode(row.eventType,
                    row.payload.getBytes(StandardCharsets.UTF_8));
            if (event.isEmpty() || !Topics.TASK_LIFECYCLE.equals(row.topic)) {
                // written by a newer version of this service: leave it for that version rather than lose it
                LOG.errorf("outbox row %d has type %s on %s that this version cannot publish; stopping", row.id,
                        row.eventType, row.topic);
                return Uni.createFrom().voidItem();
            }
            message = CloudEventRecords.toMessage(event.get(), config.eventSource(), String.valueOf(row.id));
        } catch (RuntimeException unreadable) {
            // a known type whose JSON does not decode: no pass will ever publish it
            return setAside(row, unreadable, context).chain(() -> publish(rows, index + 1, context));
        }
        return lifecycle.sendMessage(TraceParents.childOf(message, row.traceparent))
                .emitOn(context)
                .chain(() -> Panache.withTransaction(() -> outbox.markSent(row.id, Instant.now())))
                .invoke(marked -> published.addAndGet(marked))
                .onFailure(OutboxRelay::neverSendable).recoverWithUni(failure -> setAside(row, failure, context))
                .onFailure().call(failure -> {
                    LOG.warnf("publishing outbox row %d (%s) failed, retried on the next pass: %s", row.id,
                            row.eventType, failure.toString());
                    return Uni.createFrom().voidItem();
                })
                .onFailure().recoverWithNull()
                .chain(marked -> marked == null ? Uni.createFrom().voidItem() : publish(rows, index + 1, context));
    }

    /**
     * Failures of the record itself, which no retry can cure (Kafka's own list of non-retriable send errors): the
     * row would otherwise stop the relay for every task forever.
     */
    static boolean neverSendable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                    || t instanceof SerializationException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Moves the row aside (dead-lettered in the table), counts it, and lets the pass go on with the next row. */
    private Uni<Integer> setAside(OutboxEntity row, Throwable failure, Executor context) {
        // the reason names the failure, never the payload (which a client wrote)
        String reason = failure.getClass().getName() + ": " + failure.getMessage();
        LOG.warnf("outbox row %d (%s of task %s) can never be published and is set aside (outbox.dead_at): %s",
                row.id, row.eventType, row.aggregateId, reason);
        deadLetters.incrementAndGet();
        deadLetterMetric.record(row.topic, "unsendable");
        return Uni.createFrom().voidItem().emitOn(context)
                .chain(() -> Panache.withTransaction(() -> outbox.markDead(row.id, Instant.now(), reason)))
                // a row some other pass already settled counts as handled here too
                .map(updated -> 1);
    }

    /** Rows this relay published (and marked sent) since it started (shown in the readiness details). */
    public long published() {
        return published.get();
    }

    /** Rows this replica set aside since it started (shown in the readiness details). */
    public long deadLetters() {
        return deadLetters.get();
    }

}
