package dev.flow.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.devstack.local.LocalStack;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.messaging.CloudEventRecords;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;

/**
 * N tasks ({@code echo; sleep 2}, one a100 each) submitted together to the local stack's submitter and followed on
 * {@code flow.task.status} until each one ends: the load the whole-stack benchmarks put on the platform.
 */
final class TaskBurst implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** When each task's submit was sent (epoch ms). */
    final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
    /** When each completed task's {@code completed} event was published (the record's timestamp). */
    final Map<String, Long> completedAt = new ConcurrentHashMap<>();
    /** Each ended task's terminal status. */
    final Map<String, TaskStatus> ended = new ConcurrentHashMap<>();

    private final LocalStack stack;
    private final HttpClient http;
    private final ConsumerTask<String, byte[]> status;
    private int seen;

    TaskBurst(LocalStack stack, KafkaCompanion companion, HttpClient http) {
        this.stack = stack;
        this.http = http;
        this.status = companion.consume(Serdes.String(), Serdes.ByteArray())
                .withOffsetReset(OffsetResetStrategy.EARLIEST).withGroupId("bench-" + System.nanoTime())
                .withAutoCommit()
                .fromTopics(Topics.TASK_STATUS);
    }

    /** Submits {@code tasks} tasks at once; returns when every submit was answered 201. */
    void submit(int tasks) {
        String submitter = stack.service("submitter-service").orElseThrow().baseUrl();
        List<CompletableFuture<Void>> submits = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            String body = "{\"name\":\"bench-" + i + "\",\"command\":\"echo task " + i + "; sleep 2\","
                    + "\"instance_type\":\"a100\"}";
            long t0 = System.currentTimeMillis();
            submits.add(http.sendAsync(HttpRequest.newBuilder(URI.create(submitter + "/v1/tasks"))
                            .header("Authorization", "Bearer " + stack.devToken())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenAccept(response -> {
                if (response.statusCode() != 201) {
                    throw new IllegalStateException("submit answered " + response.statusCode() + ": "
                            + response.body());
                }
                try {
                    submittedAt.put(JSON.readTree(response.body()).path("task_id").asText(), t0);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(submits.toArray(CompletableFuture[]::new)).join();
    }

    /** Waits until every submitted task ended or {@code max} passed; true when all ended. */
    boolean awaitEnd(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!ended.keySet().containsAll(submittedAt.keySet()) && System.nanoTime() < deadline) {
            List<ConsumerRecord<String, byte[]>> records = status.getRecords();
            for (; seen < records.size(); seen++) {
                onStatus(records.get(seen));
            }
            Thread.sleep(100); // a benchmark waiting for its work to finish; no assertion depends on it
        }
        return ended.keySet().containsAll(submittedAt.keySet());
    }

    private void onStatus(ConsumerRecord<String, byte[]> record) {
        CloudEventRecords.fromRecord(record)
                .filter(TaskStatusChanged.class::isInstance).map(TaskStatusChanged.class::cast)
                .filter(change -> change.to().isTerminal())
                .ifPresent(change -> {
                    ended.putIfAbsent(change.taskId(), change.to());
                    if (change.to() == TaskStatus.COMPLETED) {
                        // the record's timestamp: when the poller published the completion
                        completedAt.putIfAbsent(change.taskId(), record.timestamp());
                    }
                });
    }

    /** Local runs' settings for a burst of {@code tasks}: room for all of them at once at the emulator. */
    static Map<String, String> emulatorSettings(int tasks) {
        // room for every task at once in the cheapest region, as a real burst would need (and as many workload
        // processes: beyond its cap the emulator refuses a workload like a docker error, 125)
        return Map.of("emulator.market.capacity-per-region", Integer.toString(tasks + 16),
                "emulator.workload.max-processes", Integer.toString(tasks + 16),
                "emulator.market.volatility-bps", "0");
    }

    @Override
    public void close() {
        status.stop();
    }
}
