package dev.flow.poller.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flow.model.event.EventCodec;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.domain.TaskRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * A transition published again is a repeat: the same {@code ce_id}, and after a failed send the same content. The
 * fault suite found the same step published under two ids after a send timed out during a broker's failure (the
 * broker had written it) and the next cycle derived the step again.
 */
class EventPublisherTest {

    private static final Instant ALLOCATED = Instant.parse("2026-12-04T19:32:21.577454884Z");
    private static final List<InstanceInfo> NODES = List.of(
            new InstanceInfo("inst_a", 0, "STATUS_STARTING", "127.0.0.1", 2201));

    /** The step pending → pending (allocated) of a task, as a cycle observing it at {@code observedAt} derives it. */
    private static TaskStatusChanged allocated(Instant observedAt, List<InstanceInfo> nodes) {
        return step("task-a", "bid_1", 0, TaskStatus.PENDING, TransitionReason.ALLOCATED, ALLOCATED, observedAt, nodes);
    }

    /** A step from pending of a one-node task; running is billed at $1.20 per hour, pending at nothing. */
    private static TaskStatusChanged step(String taskId, String bidFid, int restarts, TaskStatus to,
                                          TransitionReason reason, Instant at, Instant observedAt,
                                          List<InstanceInfo> nodes) {
        return new TaskStatusChanged(taskId, "proj", TaskStatus.PENDING, to, reason, at, observedAt, nodes,
                Money.parse(to == TaskStatus.RUNNING ? "$1.20" : "$0.00"), 1, bidFid, "us-central1-a", "a100",
                restarts, null);
    }

    private static EventPublisher publisher(FailingEmitter emitter, SimpleMeterRegistry meters) {
        return new EventPublisher(emitter, emitter, emitter, meters, new TaskRegistry(Duration.ofHours(1)));
    }

    @Test
    void aStepDerivedAgainKeepsItsIdAndAnotherStepGetsAnother() {
        TaskStatusChanged first = allocated(ALLOCATED.plusSeconds(1), NODES);
        TaskStatusChanged again = allocated(ALLOCATED.plusSeconds(6), NODES);
        assertThat(EventPublisher.transitionId(again)).isEqualTo(EventPublisher.transitionId(first));

        List<TaskStatusChanged> others = List.of(
                allocated(first.observedAt(), List.of(new InstanceInfo("inst_a", 0, "STATUS_RUNNING", "10.0.0.9", 22))),
                allocated(first.observedAt(), List.of()),
                step("task-a", "bid_2", 1, TaskStatus.PENDING, TransitionReason.RESUBMITTED, ALLOCATED,
                        first.observedAt(), NODES),
                step("task-a", "bid_1", 0, TaskStatus.RUNNING, TransitionReason.ALLOCATED, ALLOCATED.plusSeconds(3),
                        first.observedAt(), NODES),
                step("task-b", "bid_9", 0, TaskStatus.PENDING, TransitionReason.ALLOCATED, ALLOCATED,
                        first.observedAt(), NODES));
        assertThat(others.stream().map(EventPublisher::transitionId))
                .doesNotContain(EventPublisher.transitionId(first))
                .doesNotHaveDuplicates();
    }

    @Test
    void aSendThatFailedIsSentAgainWithItsFirstContentUnderTheSameId() {
        FailingEmitter emitter = new FailingEmitter();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        EventPublisher publisher = publisher(emitter, meters);
        TaskStatusChanged first = allocated(ALLOCATED.plusSeconds(1), NODES);

        // the broker is away: the send fails (it may or may not have been written)
        emitter.failures.set(1);
        assertThatThrownBy(() -> publisher.statusChanged(first).await().atMost(Duration.ofSeconds(5)))
                .isInstanceOf(TimeoutException.class);
        assertThat(publisher.unacknowledged()).isEqualTo(1);
        assertThat(meters.get("flow.poller.status.unacknowledged").gauge().value()).isEqualTo(1.0);

        // the next cycle derives the same step, observed later: what goes out is the first send, id and content
        TaskStatusChanged sent = publisher.statusChanged(allocated(ALLOCATED.plusSeconds(6), NODES))
                .await().atMost(Duration.ofSeconds(5));
        assertThat(sent).isEqualTo(first);
        assertThat(emitter.sent).hasSize(2);
        assertThat(idOf(emitter.sent.get(1))).isEqualTo(idOf(emitter.sent.get(0)))
                .isEqualTo(EventPublisher.transitionId(first));
        assertThat(emitter.sent.get(1).getPayload()).isEqualTo(emitter.sent.get(0).getPayload());
        assertThat(publisher.unacknowledged()).isZero();
        assertThat(meters.get("flow.poller.status.unacknowledged").gauge().value()).isZero();

        // once acknowledged it is forgotten: a later derivation is sent as derived (a consumer dedupes it by id)
        TaskStatusChanged later = allocated(ALLOCATED.plusSeconds(11), NODES);
        assertThat(publisher.statusChanged(later).await().atMost(Duration.ofSeconds(5))).isEqualTo(later);
        assertThat(idOf(emitter.sent.get(2))).isEqualTo(EventPublisher.transitionId(first));
    }

    @Test
    void aLaterStepOnTheBrokerMakesTheTasksEarlierFailedSendsObsolete() {
        FailingEmitter emitter = new FailingEmitter();
        EventPublisher publisher = publisher(emitter, new SimpleMeterRegistry());
        emitter.failures.set(1);
        publisher.statusChanged(allocated(ALLOCATED, NODES)).onFailure().recoverWithNull()
                .await().atMost(Duration.ofSeconds(5));
        assertThat(publisher.unacknowledged()).isEqualTo(1);

        // another task's step leaves it; this task's later step (running) supersedes it
        publisher.statusChanged(step("task-b", "bid_9", 0, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                ALLOCATED.plusSeconds(9), ALLOCATED.plusSeconds(9), NODES)).await().atMost(Duration.ofSeconds(5));
        assertThat(publisher.unacknowledged()).isEqualTo(1);
        publisher.statusChanged(step("task-a", "bid_1", 0, TaskStatus.RUNNING, TransitionReason.ALLOCATED,
                ALLOCATED.plusSeconds(3), ALLOCATED.plusSeconds(6), NODES)).await().atMost(Duration.ofSeconds(5));
        assertThat(publisher.unacknowledged()).isZero();
    }

    @Test
    void failedSendsRememberedAreBounded() {
        FailingEmitter emitter = new FailingEmitter();
        EventPublisher publisher = publisher(emitter, new SimpleMeterRegistry());
        int sends = EventPublisher.MAX_UNACKNOWLEDGED + 100;
        emitter.failures.set(sends);
        for (int k = 0; k < sends; k++) {
            publisher.statusChanged(step("task-" + k, "bid_" + k, 0, TaskStatus.PENDING, TransitionReason.ALLOCATED,
                    ALLOCATED, ALLOCATED, NODES)).onFailure().recoverWithNull().await().atMost(Duration.ofSeconds(5));
        }
        assertThat(publisher.unacknowledged()).isEqualTo(EventPublisher.MAX_UNACKNOWLEDGED);
    }

    private static String idOf(Message<byte[]> message) {
        OutgoingKafkaRecordMetadata<?> metadata = message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        for (Header header : metadata.getHeaders()) {
            if (header.key().equals(EventCodec.Headers.ID)) {
                return new String(header.value(), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no ce_id header");
    }

    /** Records every message handed to it; fails the next {@code failures} sends as a producer timeout would. */
    private static final class FailingEmitter implements MutinyEmitter<byte[]> {
        final AtomicInteger failures = new AtomicInteger();
        final List<Message<byte[]>> sent = new ArrayList<>();

        @Override
        @SuppressWarnings("unchecked")
        public <M extends Message<? extends byte[]>> Uni<Void> sendMessage(M message) {
            sent.add((Message<byte[]>) message);
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return Uni.createFrom().failure(new TimeoutException("Expiring 1 record(s): delivery timeout"));
            }
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> send(byte[] payload) {
            return sendMessage(Message.of(payload));
        }

        @Override
        public void sendAndAwait(byte[] payload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Cancellable sendAndForget(byte[] payload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <M extends Message<? extends byte[]>> void send(M message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <M extends Message<? extends byte[]>> void sendMessageAndAwait(M message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <M extends Message<? extends byte[]>> Cancellable sendMessageAndForget(M message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void complete() {
        }

        @Override
        public void error(Exception e) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean hasRequests() {
            return true;
        }
    }
}
