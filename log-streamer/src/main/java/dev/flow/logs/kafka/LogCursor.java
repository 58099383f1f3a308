package dev.flow.logs.kafka;

import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.LogLine;
import dev.flow.service.messaging.CloudEventRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A reader of one task's lines: a consumer with no group, assigned to the partition the task id hashes to (the
 * producer's default partitioner: murmur2 of the key), filtering that partition by task id. Blocking (a Kafka
 * consumer): use it from a virtual thread. Optionally only one node's lines. Not thread-safe; one per viewer.
 */
public final class LogCursor implements AutoCloseable {

    private static final int FIRST_CHUNK = 512;

    private final KafkaConsumer<String, byte[]> consumer;
    private final String taskId;
    private final TopicPartition partition;
    private final Duration readTimeout;
    private final OptionalInt node;
    private final long tailBytes;
    private final int maxLineBytes;

    /**
     * {@code tailBytes}: a tail stops at this many bytes of text besides its line count; {@code maxLineBytes}: the
     * longest line, which bounds how many offsets one step of a tail reads at once.
     */
    LogCursor(KafkaConsumer<String, byte[]> consumer, String topic, String taskId, OptionalInt node,
              Duration readTimeout, long tailBytes, int maxLineBytes) {
        this.consumer = consumer;
        this.tailBytes = tailBytes;
        this.maxLineBytes = maxLineBytes;
        this.taskId = taskId;
        this.node = node;
        this.readTimeout = readTimeout;
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, readTimeout);
        int count = partitions == null || partitions.isEmpty() ? 1 : partitions.size();
        this.partition = new TopicPartition(topic,
                Utils.toPositive(Utils.murmur2(taskId.getBytes(StandardCharsets.UTF_8))) % count);
        consumer.assign(List.of(partition));
    }

    public long endOffset() {
        return consumer.endOffsets(List.of(partition), readTimeout).get(partition);
    }

    public long beginningOffset() {
        return consumer.beginningOffsets(List.of(partition), readTimeout).get(partition);
    }

    /**
     * The task's last {@code n} lines before {@code end}, oldest first; afterwards the cursor stands at {@code end}.
     * Reads backwards in growing chunks, so a short tail of a busy partition does not read the whole partition.
     */
    public List<LogEntry> tail(int n, long end) {
        return tail(n, end, Long.MAX_VALUE);
    }

    /**
     * As {@link #tail(int, long)}, looking at most {@code maxScan} offsets back. The tail also stops at the byte
     * budget ({@code flow.logs.viewer.tail-bytes}): it holds the newest lines whose text fits, so a tail of long
     * lines is shorter than {@code n}. One step never reads more offsets than the budget's worth of longest lines.
     */
    public List<LogEntry> tail(int n, long end, long maxScan) {
        long begin = Math.max(beginningOffset(), end - maxScan);
        long maxChunk = Math.max(1, tailBytes / maxLineBytes);
        Deque<List<LogEntry>> chunks = new ArrayDeque<>();
        int found = 0;
        long bytes = 0;
        long to = end;
        long chunk = Math.min(maxChunk, Math.max(FIRST_CHUNK, 4L * n));
        while (found < n && bytes < tailBytes && to > begin) {
            long from = Math.max(begin, to - chunk);
            List<LogEntry> part = read(from, to);
            chunks.addFirst(part);
            found += part.size();
            for (LogEntry entry : part) {
                bytes += entry.textBytes();
            }
            to = from;
            chunk = Math.min(maxChunk, chunk * 4);
        }
        List<LogEntry> all = new ArrayList<>(found);
        chunks.forEach(all::addAll);
        consumer.seek(partition, end);
        // the newest lines within both the count and the byte budget
        int first = all.size();
        long kept = 0;
        while (first > 0 && all.size() - first < n) {
            long size = all.get(first - 1).textBytes();
            if (kept + size > tailBytes) {
                break;
            }
            kept += size;
            first--;
        }
        return first == 0 ? all : List.copyOf(all.subList(first, all.size()));
    }

    /** The task's lines in {@code [from, to)}; afterwards the cursor stands at {@code to}. */
    public List<LogEntry> read(long from, long to) {
        List<LogEntry> entries = new ArrayList<>();
        if (from >= to) {
            consumer.seek(partition, to);
            return entries;
        }
        consumer.seek(partition, from);
        Instant deadline = Instant.now().plus(readTimeout);
        while (consumer.position(partition, readTimeout) < to) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("reading " + partition + " [" + from + ", " + to + ") timed out");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < to) {
                    entryOf(record).ifPresent(entries::add);
                }
            }
        }
        consumer.seek(partition, to);
        return entries;
    }

    /** Moves the cursor so that the next {@link #poll} starts at {@code offset}. */
    public void seek(long offset) {
        consumer.seek(partition, offset);
    }

    /** The task's lines that arrived since the last read, waiting up to {@code timeout} for some. */
    public List<LogEntry> poll(Duration timeout) {
        List<LogEntry> entries = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            entryOf(record).ifPresent(entries::add);
        }
        return entries;
    }

    /** Interrupts a blocking {@link #poll} from another thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    private Optional<LogEntry> entryOf(ConsumerRecord<String, byte[]> record) {
        if (!taskId.equals(record.key())) {
            return Optional.empty();
        }
        Optional<FlowEvent> event = CloudEventRecords.fromRecord(record);
        if (event.isPresent() && event.get() instanceof LogLine line && taskId.equals(line.taskId())
                && (node.isEmpty() || node.getAsInt() == line.node())) {
            return Optional.of(new LogEntry(record.offset(), line));
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
