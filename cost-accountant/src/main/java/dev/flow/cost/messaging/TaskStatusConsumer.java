package dev.flow.cost.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.flow.cost.config.CostSettings;
import dev.flow.cost.metrics.CostMetrics;
import dev.flow.cost.service.EventRef;
import dev.flow.cost.service.LedgerService;
import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.DeadLetterQueue;
import dev.flow.service.messaging.Failures;
import dev.flow.service.metrics.Retries;
import dev.flow.service.tracing.TaskTraces;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code flow.task.status} into the ledger, a poll's batch at a time ({@code batch=true}): the batch is one
 * ledger transaction, and it is acknowledged (its offsets become committable) only when the returned {@code Uni}
 * completes, i.e. after that transaction committed; a redelivery after a crash is recognised by the CloudEvents ids
 * ({@code cost.consumed_event}, in the same transaction). Other event types are skipped; a malformed event
 * ({@code undecodable}) or one that names no project ({@code invalid}) is parked on the dead-letter topic
 * ({@link DeadLetterQueue}) before the batch is acknowledged, and not failed: the ledger goes on. A database that is
 * away is retried with backoff until it is back (counted in {@code flow_messaging_retries_total}); any other store
 * failure is retried a few times, then fails the channel (a skipped status change would lose or over-bill money).
 */
@ApplicationScoped
public class TaskStatusConsumer {

    private static final Logger LOG = Logger.getLogger(TaskStatusConsumer.class);

    private final LedgerService ledger;
    private final CostSettings settings;
    private final CostUpdatePublisher updates;
    private final TaskTraces traces;
    private final CostMetrics metrics;
    private final DeadLetterQueue deadLetters;
    private final Retries retries;

    public TaskStatusConsumer(LedgerService ledger, CostSettings settings, CostUpdatePublisher updates,
                              TaskTraces traces, CostMetrics metrics, DeadLetterQueue deadLetters,
                              Retries retries) {
        this.deadLetters = deadLetters;
        this.retries = retries;
        this.ledger = ledger;
        this.settings = settings;
        this.updates = updates;
        this.traces = traces;
        this.metrics = metrics;
    }

    @Incoming("task-status")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        List<LedgerService.Item> items = new ArrayList<>();
        List<SetAside> setAside = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (ConsumerRecord<String, byte[]> record : records) {
            traces.remember(record); // the scheduled cost updates of the task continue its trace
            Optional<LedgerService.Item> item = item(record, setAside);
            if (item.isPresent()) {
                items.add(item.get());
                oldest = Math.min(oldest, record.timestamp());
            }
        }
        // the dead letters first: the batch is acknowledged only once the broker has them and the ledger committed
        Uni<Void> parked = setAside.isEmpty() ? Uni.createFrom().voidItem()
                : onThisContext(Multi.createFrom().iterable(setAside)
                .onItem().transformToUniAndConcatenate(a -> deadLetters.park(a.record(), a.reason(), a.failure()))
                .collect().last().replaceWithVoid());
        if (items.isEmpty()) {
            return parked;
        }
        long oldestEvent = oldest;
        String what = items.size() + " event(s) from " + items.getFirst().ref().eventId();
        // the retry resubscribes to the store only: the dead letters are written once
        // the database away (a restart, an outage of any length): retried until it is back, the partition waits;
        // any other failure gets storeRetries attempts, then stops the channel
        Uni<List<LedgerService.Outcome>> stored = onThisContext(Uni.createFrom().deferred(() -> ledger.applyAll(items)))
                .onFailure().invoke(e -> LOG.warnf("storing %s failed (%s); retrying", what, e.toString()))
                .onFailure(Failures::isTransient).invoke(e -> retries.record(Topics.TASK_STATUS))
                .onFailure(Failures::isTransient).retry().withBackOff(settings.storeBackoff(), Duration.ofSeconds(10))
                .indefinitely()
                .onFailure().retry().withBackOff(settings.storeBackoff(), Duration.ofSeconds(10))
                .atMost(settings.storeRetries());
        return parked.chain(() -> stored)
                .invoke(() -> metrics.ledgered(oldestEvent))
                .onFailure().invoke(e -> LOG.errorf(e, "%s cannot be stored; the channel stops so that no status "
                        + "change is skipped", what))
                // every task whose total the batch moved gets its new figure now (an ended task gets no other)
                .flatMap(outcomes -> onThisContext(Uni.createFrom().deferred(
                        () -> updates.publishTasks(changedTasks(items, outcomes)))));
    }

    static Set<String> changedTasks(List<LedgerService.Item> items, List<LedgerService.Outcome> outcomes) {
        Set<String> changed = new LinkedHashSet<>();
        for (int k = 0; k < items.size(); k++) {
            if (outcomes.get(k) == LedgerService.Outcome.APPLIED) {
                changed.add(items.get(k).event().taskId());
            }
        }
        return changed;
    }

    /** A record that is not a usable TaskStatusChanged, and why. */
    private record SetAside(ConsumerRecord<String, byte[]> record, String reason, Throwable failure) {
    }

    /**
     * The record as an event to apply, or empty: another type (ignored), or one that can never be applied, added to
     * {@code setAside}.
     */
    private static Optional<LedgerService.Item> item(ConsumerRecord<String, byte[]> record, List<SetAside> setAside) {
        Map<String, String> headers = CloudEventRecords.headersOf(record);
        String type = headers.get(EventCodec.Headers.TYPE);
        Optional<FlowEvent> decoded;
        try {
            // the headers read once (CloudEventRecords.fromRecord would read them again)
            decoded = EventCodec.decode(headers, record.value());
        } catch (IllegalArgumentException e) {
            setAside.add(new SetAside(record, "undecodable", e));
            return Optional.empty();
        }
        if (decoded.isEmpty() || !(decoded.get() instanceof TaskStatusChanged event)) {
            LOG.debugf("ignoring %s at %s-%d@%d", type, record.topic(), record.partition(), record.offset());
            return Optional.empty();
        }
        if (event.project() == null || event.project().isBlank()) {
            setAside.add(new SetAside(record, "invalid", new IllegalArgumentException(
                    "the event names no project, so its cost could not be attributed")));
            return Optional.empty();
        }
        EventRef ref = new EventRef(CloudEventRecords.eventId(record), record.topic(), record.partition(),
                record.offset(), type);
        return Optional.of(new LedgerService.Item(ref, event));
    }

    /**
     * Every (re)subscription on the Vert.x context the batch arrived on: a retry after a backoff would otherwise run
     * on a timer thread, where Hibernate Reactive has no session.
     */
    private static <T> Uni<T> onThisContext(Uni<T> uni) {
        Context context = Vertx.currentContext();
        return context == null ? uni : uni.runSubscriptionOn(task -> context.runOnContext(ignored -> task.run()));
    }
}
