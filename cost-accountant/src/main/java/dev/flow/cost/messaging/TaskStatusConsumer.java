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
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TaskTraces;
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
 * completes, i.e. after that transaction committed; a redelivery after a crash is recognised by the CloudEvents ids.
 * Other event types and malformed events are skipped, not failed.
 */
@ApplicationScoped
public class TaskStatusConsumer {

    private static final Logger LOG = Logger.getLogger(TaskStatusConsumer.class);

    private final LedgerService ledger;
    private final CostSettings settings;
    private final CostUpdatePublisher updates;
    private final TaskTraces traces;
    private final CostMetrics metrics;

    public TaskStatusConsumer(LedgerService ledger, CostSettings settings, CostUpdatePublisher updates,
                              TaskTraces traces, CostMetrics metrics) {
        this.ledger = ledger;
        this.settings = settings;
        this.updates = updates;
        this.traces = traces;
        this.metrics = metrics;
    }

    @Incoming("task-status")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        List<LedgerService.Item> items = new ArrayList<>();
        long oldest = Long.MAX_VALUE;
        for (ConsumerRecord<String, byte[]> record : records) {
            traces.remember(record); // the scheduled cost updates of the task continue its trace
            Optional<LedgerService.Item> item = item(record);
            if (item.isPresent()) {
                items.add(item.get());
                oldest = Math.min(oldest, record.timestamp());
            }
        }
        if (items.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        long oldestEvent = oldest;
        String what = items.size() + " event(s) from " + items.getFirst().ref().eventId();
        return onThisContext(Uni.createFrom().deferred(() -> ledger.applyAll(items)))
                .onFailure().invoke(e -> LOG.warnf("storing %s failed (%s); retrying", what, e.toString()))
                .onFailure().retry().withBackOff(settings.storeBackoff(), Duration.ofSeconds(10))
                .atMost(settings.storeRetries())
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

    /** The record as an event to apply, or empty (logged) when it is not a usable TaskStatusChanged. */
    private static Optional<LedgerService.Item> item(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = CloudEventRecords.headersOf(record);
        String type = headers.get(EventCodec.Headers.TYPE);
        Optional<FlowEvent> decoded;
        try {
            // the headers read once (CloudEventRecords.fromRecord would read them again)
            decoded = EventCodec.decode(headers, record.value());
        } catch (IllegalArgumentException e) {
            LOG.warnf("skipping malformed %s at %s-%d@%d: %s", type, record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
        if (decoded.isEmpty() || !(decoded.get() instanceof TaskStatusChanged event)) {
            LOG.debugf("ignoring %s at %s-%d@%d", type, record.topic(), record.partition(), record.offset());
            return Optional.empty();
        }
        if (event.project() == null || event.project().isBlank()) {
            LOG.warnf("skipping %s of task %s: it names no project, so its cost could not be attributed", type,
                    event.taskId());
            return Optional.empty();
        }
        String id = headers.get(EventCodec.Headers.ID);
        EventRef ref = new EventRef(id != null && !id.isBlank() ? id
                : record.topic() + "-" + record.partition() + "@" + record.offset(),
                record.topic(), record.partition(), record.offset(), type);
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
