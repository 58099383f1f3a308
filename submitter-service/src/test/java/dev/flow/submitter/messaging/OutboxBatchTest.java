package dev.flow.submitter.messaging;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TransitionReason;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.domain.OutboxEntity;
import dev.flow.submitter.service.FaultHooks;
import dev.flow.submitter.service.TaskIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay publishes a batch at once and marks what the broker took in one statement, up to the first failure. A
 * publication that fails half-way through a batch loses nothing: the failed row and every row after it are sent
 * again (with the same {@code ce_id}) on the next pass, so a row after the failure may be on Kafka twice (at-least-once),
 * a row before it exactly once, and every task's last copies are in the order its events were written.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OutboxBatchTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    OutboxWriter writer;
    @Inject
    FaultHooks faults;
    @Inject
    Pool pool;
    @Inject
    Vertx vertx;
    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Test
    void aBatchThatFailsHalfWayLosesNothingAndEndsInOrder() {
        ConsumerTask<String, byte[]> consumed = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.TASK_LIFECYCLE);
        try {
            String a = TaskIds.next();
            String b = TaskIds.next();
            // b's first row fails to publish: a1 before it is settled; a2 and b2 after it are sent but not marked
            faults.failNextPublish(b);
            List<Long> ids = appendInOneTransaction(a, b, a, b); // a1, b1, a2, b2
            long a1 = ids.get(0);
            long b1 = ids.get(1);
            long a2 = ids.get(2);
            long b2 = ids.get(3);

            await().atMost(WAIT).until(() -> unsent(ids) == 0);
            Map<String, List<Long>> byTask = new java.util.HashMap<>();
            await().atMost(WAIT).untilAsserted(() -> {
                byTask.clear();
                byTask.putAll(relayed(consumed, ids));
                // a2 and b2 went out in the failed pass and again, after b1, in the next one
                assertThat(byTask.get(a)).containsExactly(a1, a2, a2);
                assertThat(byTask.get(b)).containsExactly(b2, b1, b2);
            });
            // every task's last copies are in the order they were written; nothing is missing
            for (List<Long> copies : byTask.values()) {
                assertThat(lastCopies(copies)).isSorted();
            }
            assertThat(byTask.values().stream().flatMap(List::stream).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(a1, b1, a2, b2);
        } finally {
            consumed.stop();
        }
    }

    /** One transaction, so one relay pass sees all the rows in one batch. */
    private List<Long> appendInOneTransaction(String... tasks) {
        List<Long> ids = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> Panache.withTransaction(() -> {
            Uni<Void> all = Uni.createFrom().voidItem();
            for (String task : tasks) {
                CancelRequested event = new CancelRequested(task, TransitionReason.USER_CANCEL, "batch-test",
                        Instant.now());
                all = all.chain(() -> writer.append(event)).invoke((OutboxEntity row) -> ids.add(row.id))
                        .replaceWithVoid();
            }
            return all;
        }).subscribe().with(done::complete, done::completeExceptionally));
        done.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return ids;
    }

    private long unsent(List<Long> ids) {
        return pool.preparedQuery("SELECT count(*) AS n FROM submitter.outbox WHERE id = ANY($1) AND sent_at IS NULL")
                .execute(Tuple.of(ids.toArray(Long[]::new))).await().atMost(WAIT).iterator().next().getLong("n");
    }

    /** The ce_ids among {@code ids} on the lifecycle topic, per task (record key), in partition order. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<Long>> relayed(ConsumerTask<String, byte[]> consumed, List<Long> ids) {
        Map<String, List<Long>> byTask = new java.util.HashMap<>();
        for (ConsumerRecord<String, byte[]> r : consumed.getRecords()) {
            Header header = r.headers().lastHeader("ce_id");
            if (header == null) {
                continue;
            }
            long id;
            try {
                id = Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
            } catch (NumberFormatException other) {
                continue;
            }
            if (ids.contains(id)) {
                byTask.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(id);
            }
        }
        return byTask;
    }

    /** The ids in the order of their last copy. */
    private static List<Long> lastCopies(List<Long> copies) {
        LinkedHashSet<Long> last = new LinkedHashSet<>();
        for (Long id : copies) {
            last.remove(id);
            last.add(id);
        }
        return List.copyOf(last);
    }
}
