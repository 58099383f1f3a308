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
import dev.flow.submitter.service.FaultHooks;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes outbox rows to Kafka, oldest first, a batch at a time ({@code flow.submitter.outbox.batch-size}): one
 * query reads the batch, its records go to the producer together in id order, and one statement marks the rows the
 * broker acked as sent, up to the first failure, which ends the pass (so no later event of a task overtakes an
 * earlier one); the next pass retries from it.
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
    private final FaultHooks faults;

    public OutboxRelay(OutboxRepository outbox, @Channel("lifecycle-out") MutinyEmitter<byte[]> lifecycle,
                       SubmitterConfig config, Vertx vertx, DeadLetters deadLetterMetric, Lease lease,
                       FaultHooks faults) {
        this.lease = lease;
        this.faults = faults;
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
                .chain(rows -> publish(rows, context))
                .eventually(() -> {
                    running.set(false);
                    if (again.getAndSet(false)) {
                        kick();
                    }
                });
    }

    /** What became of one row of a batch: sent (acked), to set aside (never sendable), or failed (retried later). */
    private record Outcome(OutboxEntity row, Throwable failure, boolean neverSendable) {
    }

    /**
     * Publishes a batch: every row's record goes to the producer at once, in id order (the producer keeps that order
     * per partition: one request in flight per connection), then the rows up to the first failure are settled, the
     * sent ones in one statement. A row after a failed one is left unsent even when the broker took it: it is sent
     * again with the same {@code ce_id} in the next pass, after the failed one, so a task's last copy of each event
     * is in order (at-least-once, never out of order at the end).
     */
    private Uni<Void> publish(List<OutboxEntity> rows, Executor context) {
        if (rows.isEmpty() || !lease.held()) {
            return Uni.createFrom().voidItem(); // a holder that took over publishes them
        }
        List<Uni<Outcome>> sends = new ArrayList<>(rows.size());
        boolean stopped = false;
        for (OutboxEntity row : rows) {
            Message<byte[]> message;
            try {
                Optional<FlowEvent> event = EventCodec.decode(row.eventType,
                        row.payload.getBytes(StandardCharsets.UTF_8));
                if (event.isEmpty() || !Topics.TASK_LIFECYCLE.equals(row.topic)) {
                    // written by a newer version of this service: leave it for that version rather than lose it
                    LOG.errorf("outbox row %d has type %s on %s that this version cannot publish; stopping", row.id,
                            row.eventType, row.topic);
                    stopped = true;
                    break;
                }
                message = CloudEventRecords.toMessage(event.get(), config.eventSource(), String.valueOf(row.id));
            } catch (RuntimeException unreadable) {
                // a known type whose JSON does not decode: no pass will ever publish it
                sends.add(Uni.createFrom().item(new Outcome(row, unreadable, true)));
                continue;
            }
            Message<byte[]> record = TraceParents.childOf(message, row.traceparent);
            sends.add(faults.beforePublish(row.aggregateId).chain(() -> lifecycle.sendMessage(record))
                    .map(sent -> new Outcome(row, null, false))
                    .onFailure().recoverWithItem(failure -> new Outcome(row, failure, neverSendable(failure))));
        }
        if (sends.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        boolean wholeBatch = !stopped && rows.size() == config.outbox().batchSize();
        // joined in list order: the records reach the producer in id order
        return Uni.join().all(sends).andFailFast().emitOn(context).chain(outcomes -> settle(outcomes, wholeBatch));
    }

    /** Marks the sent prefix in one statement and sets aside the never-sendable rows in it. */
    private Uni<Void> settle(List<Outcome> outcomes, boolean wholeBatch) {
        List<Long> sent = new ArrayList<>();
        List<Outcome> dead = new ArrayList<>();
        boolean complete = true;
        for (Outcome outcome : outcomes) {
            if (outcome.failure() == null) {
                sent.add(outcome.row().id);
            } else if (outcome.neverSendable()) {
                dead.add(outcome);
            } else {
                LOG.warnf("publishing outbox row %d (%s) failed, retried on the next pass with the rows after it: %s",
                        outcome.row().id, outcome.row().eventType, outcome.failure().toString());
                complete = false;
                break;
            }
        }
        if (complete && wholeBatch) {
            again.set(true); // a full batch: there may be more
        }
        Instant now = Instant.now();
        return Panache.withTransaction(() -> (sent.isEmpty() ? Uni.createFrom().item(0) : outbox.markSent(sent, now))
                        .invoke(marked -> published.addAndGet(marked))
                        .chain(() -> setAside(dead, now)))
                .replaceWithVoid();
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

    /** Moves rows aside (dead-lettered in the table) and counts them, inside the caller's transaction. */
    private Uni<Void> setAside(List<Outcome> dead, Instant at) {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (Outcome outcome : dead) {
            OutboxEntity row = outcome.row();
            // the reason names the failure, never the payload (which a client wrote)
            String reason = outcome.failure().getClass().getName() + ": " + outcome.failure().getMessage();
            LOG.warnf("outbox row %d (%s of task %s) can never be published and is set aside (outbox.dead_at): %s",
                    row.id, row.eventType, row.aggregateId, reason);
            deadLetters.incrementAndGet();
            deadLetterMetric.record(row.topic, "unsendable");
            all = all.chain(() -> outbox.markDead(row.id, at, reason)).replaceWithVoid();
        }
        return all;
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
