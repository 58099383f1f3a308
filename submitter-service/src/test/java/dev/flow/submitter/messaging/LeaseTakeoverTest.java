package dev.flow.submitter.messaging;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.metrics.DeadLetters;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.repository.Lease;
import dev.flow.submitter.repository.OutboxRepository;
import dev.flow.submitter.service.LeaseKeeper;
import dev.flow.submitter.service.TaskIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two relays of one database, as in a rolling deploy (old and new pod), here two holders of the real lease in one
 * JVM, each with its own {@link OutboxRelay}: only the holder relays; when it stops renewing (a SIGKILLed pod) the
 * other takes the lease over once the hold expired and relays the rest; the old one, should it run again, relays
 * nothing; no outbox row reaches Kafka twice. The application's own holder gives the lease up first, as on shutdown,
 * and the first test holder takes it at its next renewal. Own profile: the application's lease stays released.
 */
@QuarkusTest
@TestProfile(LeaseTakeoverTest.OwnInstance.class)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class LeaseTakeoverTest {

    /** An application instance of its own: this test releases its lease for good. */
    public static class OwnInstance implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flow.submitter.lease.holder", "lease-takeover-test-app");
        }
    }

    private static final Duration TTL = Duration.ofSeconds(3);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ROWS = 15;

    @Inject
    Lease appLease;
    @Inject
    Pool pool;
    @Inject
    OutboxRepository outbox;
    @Inject
    OutboxWriter writer;
    @Inject
    @Channel("lifecycle-out")
    MutinyEmitter<byte[]> lifecycle;
    @Inject
    SubmitterConfig config;
    @Inject
    Vertx vertx;
    @Inject
    DeadLetters deadLetters;
    @Inject
    dev.flow.submitter.service.FaultHooks faults;
    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Test
    void onlyTheHolderRelaysAndAnotherTakesOverWhenItStopsRenewing() {
        ConsumerTask<String, byte[]> consumed = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.TASK_LIFECYCLE);
        try {
            // the application's own holder leaves, as on shutdown: the lease is free at once
            await().atMost(WAIT).until(appLease::held);
            appLease.release().await().atMost(WAIT);
            assertThat(appLease.held()).isFalse();
            assertThat(appLease.renew().await().atMost(WAIT)).as("a released holder never takes it again").isFalse();

            Lease a = new Lease(pool, LeaseKeeper.NAME, "holder-a-" + UUID.randomUUID(), TTL);
            Lease b = new Lease(pool, LeaseKeeper.NAME, "holder-b-" + UUID.randomUUID(), TTL);
            OutboxRelay relayA = new OutboxRelay(outbox, lifecycle, config, vertx, deadLetters, a, faults);
            OutboxRelay relayB = new OutboxRelay(outbox, lifecycle, config, vertx, deadLetters, b, faults);

            assertThat(a.renew().await().atMost(WAIT)).as("taken right after the release").isTrue();
            assertThat(b.renew().await().atMost(WAIT)).as("held by a").isFalse();
            assertThat(b.seen()).hasValueSatisfying(seen -> assertThat(seen.holder()).hasValue(a.holder()));
            assertThat(a.renew().await().atMost(WAIT)).as("renewed by its holder").isTrue();

            // both relays run passes side by side; a renews, b keeps trying to take the lease
            String task = TaskIds.next();
            List<Long> first = append(task, ROWS);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(a.renew().await().atMost(WAIT)).isTrue();
                assertThat(b.renew().await().atMost(WAIT)).isFalse();
                passes(relayA, relayB);
                return unsent(first) == 0;
            });
            assertThat(relayA.published()).isEqualTo(ROWS);
            assertThat(relayB.published()).isZero();

            // a stops renewing (killed): b takes over once a's hold expired; a's own view lapsed before that
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> b.renew().await().atMost(WAIT));
            assertThat(a.held()).as("a stopped believing it holds the lease before b could take it").isFalse();
            assertThat(b.seen()).hasValueSatisfying(seen -> assertThat(seen.holder()).hasValue(b.holder()));

            // a comes back without renewing (a paused process): it relays nothing; b relays the rest
            List<Long> second = append(task, ROWS);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(b.renew().await().atMost(WAIT)).isTrue();
                passes(relayA, relayB);
                return unsent(second) == 0;
            });
            assertThat(relayA.published()).isEqualTo(ROWS);
            assertThat(relayB.published()).isEqualTo(ROWS);
            // and once it renews again it finds b holding the lease
            assertThat(a.renew().await().atMost(WAIT)).isFalse();

            // on Kafka: every row once, in order (ce_id is the row id)
            List<Long> all = new ArrayList<>(first);
            all.addAll(second);
            List<Long> onKafka = relayedIds(consumed, Set.copyOf(all.stream().map(String::valueOf).toList()));
            assertThat(onKafka).containsExactlyElementsOf(all);
            b.release().await().atMost(WAIT);
        } finally {
            consumed.stop();
        }
    }

    /** One pass of each relay at the same time, each on its own context (as in two processes). */
    private void passes(OutboxRelay first, OutboxRelay second) {
        CompletableFuture<Void> one = onContext(first::relay);
        CompletableFuture<Void> two = onContext(second::relay);
        CompletableFuture.allOf(one, two).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private List<Long> append(String task, int count) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CancelRequested event = new CancelRequested(task, TransitionReason.USER_CANCEL, "lease-test",
                    Instant.now());
            onContext(() -> Panache.withTransaction(() -> writer.append(event))
                    .invoke(row -> ids.add(row.id)).replaceWithVoid())
                    .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }
        return ids;
    }

    private CompletableFuture<Void> onContext(Supplier<Uni<Void>> work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        // Hibernate Reactive runs only on a context marked safe, as OutboxRelay.kick() does
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> work.get().subscribe().with(done::complete, done::completeExceptionally));
        return done;
    }

    private long unsent(List<Long> ids) {
        return pool.preparedQuery("SELECT count(*) AS n FROM submitter.outbox WHERE id = ANY($1) AND sent_at IS NULL")
                .execute(Tuple.of(ids.toArray(Long[]::new))).await().atMost(WAIT).iterator().next().getLong("n");
    }

    /**
     * The ce_ids among {@code ids} on the lifecycle topic, in topic order, read up to the partition's end as it is
     * now (all passes are over: every send was acked before its row was marked, so nothing of ours comes later).
     */
    @SuppressWarnings("unchecked")
    private List<Long> relayedIds(ConsumerTask<String, byte[]> consumed, Set<String> ids) {
        Function<ConsumerRecord<String, byte[]>, String> ceId = r -> {
            Header header = r.headers().lastHeader("ce_id");
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        };
        await().atMost(WAIT).until(() -> consumed.getRecords().stream().map(ceId).filter(ids::contains)
                .collect(Collectors.toSet()).size() == ids.size());
        ConsumerRecord<String, byte[]> any = consumed.getRecords().stream()
                .filter(r -> ids.contains(ceId.apply(r))).findFirst().orElseThrow();
        TopicPartition partition = new TopicPartition(any.topic(), any.partition());
        long end = kafka.offsets().get(partition, OffsetSpec.latest()).offset();
        await().atMost(WAIT).until(() -> consumed.getRecords().stream()
                .anyMatch(r -> r.partition() == partition.partition() && r.offset() >= end - 1));
        return consumed.getRecords().stream().map(ceId).filter(ids::contains).map(Long::valueOf).toList();
    }
}
