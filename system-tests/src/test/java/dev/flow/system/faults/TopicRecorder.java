package dev.flow.system.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Everything the platform published on the topics the invariants read, from the first offset, as seen by a plain
 * consumer of its own group (it rides through the broker faults like any client). Each record keeps its CloudEvents
 * id, so a repeat can be told from a second, different event.
 */
final class TopicRecorder implements AutoCloseable {

    /** One record: the event, its {@code ce_id}, where it was. */
    record Seen(String topic, String key, String ceId, FlowEvent event, int partition, long offset, long timestamp) {
    }

    static final List<String> TOPICS = List.of(Topics.TASK_LIFECYCLE, Topics.TASK_STATUS, Topics.TASK_COMMANDS,
            Topics.TASK_LOGS);

    private final KafkaCompanion companion;
    private final Map<String, ConsumerTask<String, byte[]>> tasks = new LinkedHashMap<>();

    TopicRecorder(String bootstrapServers) {
        companion = new KafkaCompanion(bootstrapServers);
        String run = Long.toString(System.nanoTime());
        for (String topic : TOPICS) {
            tasks.put(topic, companion.consume(Serdes.String(), Serdes.ByteArray())
                    .withOffsetReset(OffsetResetStrategy.EARLIEST)
                    .withGroupId("fault-suite-" + topic + "-" + run)
                    .withAutoCommit()
                    .fromTopics(topic));
        }
    }

    /** Every record of a topic read so far, decoded; records that are not events of this platform are skipped. */
    List<Seen> records(String topic) {
        List<ConsumerRecord<String, byte[]>> raw = new ArrayList<>(tasks.get(topic).getRecords());
        List<Seen> seen = new ArrayList<>(raw.size());
        for (ConsumerRecord<String, byte[]> record : raw) {
            Optional<FlowEvent> event = CloudEventRecords.fromRecord(record);
            if (event.isEmpty()) {
                continue;
            }
            String ceId = CloudEventRecords.headersOf(record).get("ce_id");
            seen.add(new Seen(topic, record.key(), ceId, event.get(), record.partition(), record.offset(),
                    record.timestamp()));
        }
        return seen;
    }

    /** Records of a topic grouped by key (the task id), in offset order within each key. */
    Map<String, List<Seen>> byKey(String topic) {
        Map<String, List<Seen>> grouped = new LinkedHashMap<>();
        for (Seen seen : records(topic)) {
            grouped.computeIfAbsent(seen.key(), k -> new ArrayList<>()).add(seen);
        }
        return grouped;
    }

    @Override
    public void close() {
        tasks.values().forEach(ConsumerTask::stop);
        companion.close();
    }
}
