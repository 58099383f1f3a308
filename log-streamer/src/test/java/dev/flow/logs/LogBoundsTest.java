package dev.flow.logs;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.config.LogsConfig;
import dev.flow.logs.service.LogCollector;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Instance;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.Topics;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.KafkaClientProperties;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.flow.logs.TestSupport.eventsOf;
import static dev.flow.logs.TestSupport.infos;
import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.runningBid;
import static dev.flow.logs.TestSupport.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hardening of the collection (issue 13): a node printing a 1 MB line and then a flood of output, over real SSH from
 * the emulator into real Kafka, leaves the service's heap bounded; every published line is within the line cap, the
 * long line carries the truncation marker, and the flood is cut by the task's rate limit with a drop marker line.
 * The service runs in this JVM (@QuarkusTest), so the heap measured here is the service's (plus the in-process
 * emulator's, whose container log is capped at 16 MiB, and the broker's).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class LogBoundsTest {

    private static final Logger LOG = Logger.getLogger(LogBoundsTest.class);
    private static final String PROJECT = "flow-dev";
    private static final long HEAP_GROWTH_CAP = 256L * 1024 * 1024;
    /** Under the emulator's 16 MiB container log cap, so the whole flood reaches the log streamer. */
    private static final long FLOOD_BYTES = 12_000_000;
    private static final String SCRIPT = "head -c 1048576 /dev/zero | tr '\\0' x; echo; echo after-the-long-line; "
            + "yes 'a fast log line, padded to about sixty bytes of text 0123456789' | head -c " + FLOOD_BYTES
            + "; echo; exit 0";

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    MithrilClient mithril;

    @Inject
    LogCollector collector;

    @Inject
    LogsConfig config;

    @Inject
    KafkaClientProperties kafkaClients;

    @Test
    void aHugeLineAndAFloodLeaveTheHeapBoundedAndAreMarked() {
        ConsumerTask<String, byte[]> lifecycle = kafka.consume(String.class, byte[].class)
                .fromTopics(Topics.TASK_LIFECYCLE);
        try {
            long droppedBefore = collector.linesDroppedByRateLimit();
            long heapBefore = usedHeapAfterGc();
            String taskId = newTaskId();
            List<Instance> instances = runningBid(mithril, taskId, SCRIPT, 1);
            publish(kafka, status(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, infos(instances)));

            // the exit is reported after every line sent was acknowledged: all lines are in Kafka then
            WorkloadExited exited = await().atMost(Duration.ofMinutes(3))
                    .until(() -> eventsOf(lifecycle, taskId, WorkloadExited.class), l -> !l.isEmpty()).getFirst();
            assertThat(exited.exitCode()).isZero();
            long heapAfter = usedHeapAfterGc();
            LOG.infof("heap after GC: before %d MB, after %d MB", heapBefore >> 20, heapAfter >> 20);
            assertThat(heapAfter - heapBefore).isLessThan(HEAP_GROWTH_CAP);

            List<LogLine> lines = linesOf(taskId);
            int cap = config.maxLineBytes();
            assertThat(lines).allSatisfy(l ->
                    assertThat(l.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(cap));
            // the 1 MiB line: its start, cut, with the marker naming what was dropped
            LogLine longLine = lines.getFirst();
            assertThat(longLine.text()).startsWith("xxxxxxxx").contains("[flow: line truncated, ");
            long keptX = longLine.text().chars().filter(c -> c == 'x').count();
            assertThat(longLine.text()).endsWith(" bytes dropped]").contains(" " + (1048576 - keptX) + " bytes");
            assertThat(lines.get(1).text()).isEqualTo("after-the-long-line");
            // the flood: far more than the rate limit lets through, so lines were dropped and said so
            List<LogLine> markers = lines.stream()
                    .filter(l -> l.text().contains("dropped: over the task's log rate limit")).toList();
            assertThat(markers).isNotEmpty();
            long droppedLines = markers.stream().mapToLong(l -> Long.parseLong(l.text().split(" ")[1])).sum();
            long floodLines = lines.stream().filter(l -> l.text().startsWith("a fast log line")).count();
            LOG.infof("flood: %d lines published, %d dropped, %d markers", floodLines, droppedLines, markers.size());
            assertThat(droppedLines).isPositive();
            // every line of the flood is either published or counted as dropped (the last may be cut by head -c)
            long floodTotal = FLOOD_BYTES / "a fast log line, padded to about sixty bytes of text 0123456789\n".length();
            assertThat(floodLines + droppedLines).isBetween(floodTotal, floodTotal + 2);
            assertThat(collector.linesDroppedByRateLimit() - droppedBefore).isEqualTo(droppedLines);
            // seq stays gap-free: markers take seqs like lines
            assertThat(lines).extracting(LogLine::seq)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, lines.size()).boxed().toList());
        } finally {
            lifecycle.stop();
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The task's lines in Kafka, in partition order, read with a consumer of our own (not kept by a companion). */
    private List<LogLine> linesOf(String taskId) {
        List<LogLine> lines = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafkaClients.consumer(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TASK_LOGS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (taskId.equals(record.key())) {
                        CloudEventRecords.fromRecord(record).filter(LogLine.class::isInstance)
                                .map(LogLine.class::cast).ifPresent(lines::add);
                    }
                }
            }
        }
        return lines;
    }
}
