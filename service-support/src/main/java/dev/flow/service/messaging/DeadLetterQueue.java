package dev.flow.service.messaging;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import dev.flow.service.config.DeadLetterSettings;
import dev.flow.service.metrics.DeadLetters;
import dev.flow.service.metrics.Retries;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Parks a consumed record that can never be processed on the platform's dead-letter topic (default
 * {@code flow.dead-letters}), so the consumer moves on without losing it: the partition is never blocked by it, and
 * no service consumes the topic, so it never loops. An operator inspects and replays it (root README, "Dead letters").
 *
 * <p>Why not SmallRye's {@code failure-strategy=dead-letter-queue}: it acts on a nacked message, but the platform's
 * consumers catch their own failures (an infrastructure failure is retried, only the rest is given up on), the
 * batch consumers (status-poller, cost-accountant) would park a whole poll for one bad record, and its
 * {@code dead-letter-reason} header is the exception's full message, which may quote the payload.
 *
 * <p>Why one topic rather than one per source topic: dead letters are rare, so one topic is one KafkaTopic, one
 * write ACL per service and one place for an operator to look; the source topic, partition and offset are headers
 * ({@link DeadLetterRecords}), and the original key keeps one task's dead letters in order on one partition.
 *
 * <p>The returned {@code Uni} completes only once the broker acknowledged the write (its own producer, built from the
 * connector's {@code kafka.*} settings with {@code acks=all} and idempotence), so the caller acknowledges the source
 * record, and its offset moves on, only after that. A failed write is retried with backoff until it passes: the
 * partition waits rather than lose the record. Then the record is counted in {@link DeadLetters}, which is alerted on.
 */
@ApplicationScoped
public class DeadLetterQueue {

    private static final Logger LOG = Logger.getLogger(DeadLetterQueue.class);

    private final KafkaClientProperties kafka;
    private final DeadLetterSettings settings;
    private final DeadLetters deadLetters;
    private final Retries retries;
    private final String service;
    private final Clock clock = Clock.systemUTC();
    private volatile KafkaProducer<String, byte[]> producer;

    public DeadLetterQueue(KafkaClientProperties kafka, DeadLetterSettings settings, DeadLetters deadLetters,
                           Retries retries, @ConfigProperty(name = "quarkus.application.name") String service) {
        this.kafka = kafka;
        this.settings = settings;
        this.deadLetters = deadLetters;
        this.retries = retries;
        this.service = service;
    }

    /** The topic dead letters are written to. */
    public String topic() {
        return settings.topic();
    }

    /**
     * A consumer's handling of {@code record}, made safe: a failure of the infrastructure ({@link Failures}: the
     * database, the broker or Mithril away) is retried with backoff (0.2 s doubling to 10 s) until it passes, each
     * attempt counted in {@link Retries}, so the partition waits and nothing is skipped; any other failure is the
     * record's own and parks it ({@code unprocessable}). Completes once handled or parked, so the caller's offset
     * moves on only then.
     *
     * @param what the record in words for the logs (an event type and a task id), never its content
     */
    public Uni<Void> handle(ConsumerRecord<String, byte[]> record, String what, Supplier<Uni<Void>> handling) {
        return Uni.createFrom().deferred(handling::get)
                .onFailure(Failures::isTransient).invoke(failure -> {
                    retries.record(record.topic());
                    LOG.warnf("handling %s failed (%s); retrying", what, failure.toString());
                })
                .onFailure(Failures::isTransient).retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .onFailure().recoverWithUni(failure -> {
                    LOG.errorf(failure, "handling %s failed; set aside", what);
                    return park(record, "unprocessable", failure);
                });
    }

    /**
     * Writes {@code record} to the dead-letter topic with {@code reason} (a short fixed word, also the metric's tag)
     * and a bounded description of {@code failure}; completes once the write is acknowledged. Logs the record's
     * place, never its content.
     */
    public Uni<Void> park(ConsumerRecord<String, byte[]> record, String reason, Throwable failure) {
        ProducerRecord<String, byte[]> letter = DeadLetterRecords.of(settings.topic(), record, reason, failure,
                service, clock.instant());
        Context context = Vertx.currentContext();
        Uni<RecordMetadata> write = Uni.createFrom().<RecordMetadata>emitter(emitter -> producer().send(letter,
                        (metadata, error) -> {
                            if (error != null) {
                                emitter.fail(error);
                            } else {
                                emitter.complete(metadata);
                            }
                        }))
                // send() may block (metadata of the topic, a full buffer): never on the caller's event loop
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        if (context != null) {
            // continue where the caller was (Hibernate Reactive's session, the connector's ack, live on its context)
            write = write.emitOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return write
                .onFailure().invoke(error -> {
                    retries.record(record.topic());
                    LOG.warnf("writing the dead letter of %s-%d@%d failed (%s); retrying", record.topic(),
                            record.partition(), record.offset(), error.toString());
                })
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .invoke(metadata -> {
                    deadLetters.record(record.topic(), reason);
                    LOG.warnf("%s record %s-%d@%d set aside to %s-%d@%d: %s", reason, record.topic(),
                            record.partition(), record.offset(), metadata.topic(), metadata.partition(),
                            metadata.offset(), DeadLetterRecords.describe(failure));
                })
                .replaceWithVoid();
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> current = producer;
        if (current == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(kafka.producer(Map.of(
                            ProducerConfig.CLIENT_ID_CONFIG, service + "-dead-letters",
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                            // a broker away fails the send after this, and the retry above tries again
                            ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000)),
                            new StringSerializer(), new ByteArraySerializer());
                }
                current = producer;
            }
        }
        return current;
    }

    @PreDestroy
    void close() {
        KafkaProducer<String, byte[]> current = producer;
        if (current != null) {
            current.close(Duration.ofSeconds(5));
        }
    }
}
