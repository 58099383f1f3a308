package dev.flow.logs.kafka;

import dev.flow.logs.config.LogsConfig;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.KafkaClientProperties;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Opens {@link LogCursor}s on {@code flow.task.logs}. Viewers are served from Kafka, never from SSH: a line is shown
 * exactly as it was published, with its offset as the resume token, for running and finished tasks alike.
 */
@ApplicationScoped
public class LogReader {

    private final KafkaClientProperties kafka;
    private final String topic;
    private final LogsConfig config;

    public LogReader(KafkaClientProperties kafka,
                     @ConfigProperty(name = "mp.messaging.outgoing.task-logs.topic", defaultValue = Topics.TASK_LOGS)
                     String topic,
                     LogsConfig config) {
        this.kafka = kafka;
        this.topic = topic;
        this.config = config;
    }

    /** A cursor on the task's partition. Blocking: call from a worker or virtual thread. */
    public LogCursor open(String taskId) {
        return open(taskId, OptionalInt.empty());
    }

    /** A cursor on the task's partition that yields only node {@code node}'s lines (all when empty). */
    public LogCursor open(String taskId, OptionalInt node) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumer(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000,
                ConsumerConfig.CLIENT_ID_CONFIG, "flow-log-viewer-" + java.util.UUID.randomUUID())),
                new StringDeserializer(), new ByteArrayDeserializer());
        try {
            return new LogCursor(consumer, topic, taskId, node, config.viewer().readTimeout(),
                    config.viewer().tailBytes(), config.maxLineBytes());
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }
}
