package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.flow.devstack.probe.ProbePublisher;
import dev.flow.devstack.probe.ProbeRecord;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The foundation's proof: a Quarkus application produces to and consumes from the real broker, and persists and
 * reads back through Hibernate Reactive Panache on the real PostgreSQL.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RealInfrastructureTest {

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @Inject
    ProbePublisher publisher;

    @Test
    void recordsConsumedFromKafkaArePersistedInPostgres() {
        String key = "task-" + UUID.randomUUID();
        companion.produceStrings()
                .fromRecords(new ProducerRecord<>("probe.in", key, "first"),
                        new ProducerRecord<>("probe.in", key, "second"))
                .awaitCompletion(Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(30)).until(() -> rowsFor(key).size() == 2);

        List<ProbeRecord> rows = rowsFor(key);
        assertThat(rows).extracting(row -> row.payload).containsExactly("first", "second");
        assertThat(rows).extracting(row -> row.kafkaOffset).doesNotHaveDuplicates();
    }

    @Test
    void recordsPublishedByTheApplicationReachTheBroker() throws Throwable {
        String key = "task-" + UUID.randomUUID();
        ConsumerTask<String, String> consumer = companion.consumeStrings()
                .withGroupId("probe-test-" + UUID.randomUUID())
                .withAutoCommit()
                .fromTopics("probe.out");

        VertxContextSupport.subscribeAndAwait(() -> publisher.publish(key, "hello"));

        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.getRecords().stream()
                .anyMatch(record -> key.equals(record.key())));
        ConsumerRecord<String, String> received = consumer.getRecords().stream()
                .filter(record -> key.equals(record.key())).findFirst().orElseThrow();
        assertThat(received.value()).isEqualTo("hello");
        assertThat(received.topic()).isEqualTo("probe.out");
        consumer.stop();
    }

    private static List<ProbeRecord> rowsFor(String key) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(
                    () -> ProbeRecord.<ProbeRecord>list("recordKey = ?1 order by kafkaOffset", key)));
        } catch (Throwable e) {
            throw new IllegalStateException("reading probe rows failed", e);
        }
    }
}
