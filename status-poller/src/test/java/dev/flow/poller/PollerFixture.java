package dev.flow.poller;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.event.Topics;
import dev.flow.model.json.FlowJson;
import dev.flow.model.money.Money;
import dev.flow.model.startup.WorkloadBlock;
import dev.flow.model.startup.WorkloadSpec;
import dev.flow.model.task.TaskConfig;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the poller's tests do as the submitter would: place bids on the emulator with the MithrilClient and publish
 * the lifecycle events; and read what the poller published, decoding the CloudEvents records.
 */
final class PollerFixture {

    static final Duration CALL = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final MithrilClient mithril;
    private final KafkaCompanion kafka;

    PollerFixture(MithrilClient mithril, KafkaCompanion kafka) {
        this.mithril = mithril;
        this.kafka = kafka;
    }

    static String newTaskId() {
        StringBuilder id = new StringBuilder("task-");
        for (int i = 0; i < 16; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }

    String projectFid(String name) {
        return mithril.projects().await().atMost(CALL).stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow().fid();
    }

    /** The fid of an instance type in a region (Mithril gives each (type, region) offer its own fid). */
    String instanceTypeFid(String name, String region) {
        List<String> named = mithril.instanceTypes().await().atMost(CALL).stream().filter(t -> t.name().equals(name))
                .map(InstanceType::fid).toList();
        return mithril.spotAvailability().await().atMost(CALL).stream()
                .filter(a -> a.region().equals(region) && named.contains(a.instanceType()))
                .map(a -> a.instanceType()).findFirst().orElseThrow();
    }

    /** A script whose workload block the emulator runs as a local process. */
    static String workloadScript(String taskId, String command) {
        return "#!/bin/bash\n" + WorkloadBlock.encode(new WorkloadSpec(taskId, command, "ubuntu:24.04", Map.of(),
                "/workspace", List.of(), 1, List.of()));
    }

    /** Places the task's bid ({@code flow-<task id>}) and publishes TaskSubmitted and BidPlaced for it. */
    Bid submit(String taskId, String project, String type, String region, String limit, int nodes, String script) {
        return submit(taskId, project, type, region, limit, nodes, script, null);
    }

    /** The same, with the task's configuration in the TaskSubmitted (its {@code max_run_time_hours}, ...). */
    Bid submit(String taskId, String project, String type, String region, String limit, int nodes, String script,
               TaskConfig config) {
        return submit(taskId, project, type, region, limit, nodes, script, config, null);
    }

    /** The same, the TaskSubmitted record carrying a W3C {@code traceparent} header (the submitter's trace). */
    Bid submit(String taskId, String project, String type, String region, String limit, int nodes, String script,
               TaskConfig config, String traceparent) {
        String projectFid = projectFid(project);
        String typeFid = instanceTypeFid(type, region);
        Money price = Money.parse(limit);
        Instant submittedAt = Instant.now();
        ProducerRecord<String, byte[]> submitted = CloudEventRecords.toProducerRecord(Topics.TASK_LIFECYCLE,
                new TaskSubmitted(taskId, project, taskId, type, nodes, region, price, config, submittedAt),
                "/flow/test", UUID.randomUUID().toString());
        if (traceparent != null) {
            submitted.headers().add(TraceParents.HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        send(submitted);
        Bid bid = mithril.createBid(new CreateBidRequest(projectFid, region, typeFid, price, nodes, "flow-" + taskId,
                LaunchSpecification.of(List.of(), List.of(), script))).await().atMost(CALL);
        publish(new BidPlaced(taskId, bid.fid(), project, region, typeFid, price, Instant.now()));
        return bid;
    }

    /** A bid created at Mithril only, with no lifecycle event: what a crashed submit, or a resubmission, leaves. */
    Bid placeBid(String name, String project, String type, String region, String limit, int nodes) {
        return mithril.createBid(new CreateBidRequest(projectFid(project), region, instanceTypeFid(type, region),
                Money.parse(limit), nodes, name, LaunchSpecification.of(List.of(), List.of(), null)))
                .await().atMost(CALL);
    }

    List<Instance> instances(String project, String bidFid) {
        return mithril.listInstancesPage(InstanceQuery.inProject(projectFid(project)).withBidFidIn(List.of(bidFid)))
                .await().atMost(CALL).data();
    }

    void cancel(String bidFid) {
        mithril.cancelBid(bidFid).await().atMost(CALL);
    }

    /** Publishes an event on its topic as a binary-mode CloudEvent, as the other services do. */
    void publish(FlowEvent event) {
        publishTo(event.topic(), event);
    }

    /** Publishes an event on a given topic (a marker on a topic it does not belong to, for ordering checks). */
    void publishTo(String topic, FlowEvent event) {
        send(CloudEventRecords.toProducerRecord(topic, event, "/flow/test", UUID.randomUUID().toString()));
    }

    private void send(ProducerRecord<String, byte[]> record) {
        kafka.<String, byte[]>produceWithSerializers(StringSerializer.class, ByteArraySerializer.class)
                .fromRecords(record).awaitCompletion(CALL);
    }

    /** A consumer of the status topic from its beginning, in a group of its own. */
    ConsumerTask<String, byte[]> statusRecords() {
        return records(Topics.TASK_STATUS);
    }

    ConsumerTask<String, byte[]> records(String topic) {
        return kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID())
                .withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(topic);
    }

    /** The status changes of one task in the order published. */
    static List<TaskStatusChanged> changesOf(ConsumerTask<String, byte[]> records, String taskId) {
        return records.getRecords().stream().filter(r -> taskId.equals(r.key()))
                .map(r -> CloudEventRecords.fromRecord(r).orElse(null)).filter(Objects::nonNull)
                .filter(TaskStatusChanged.class::isInstance).map(TaskStatusChanged.class::cast).toList();
    }

    static List<ConsumerRecord<String, byte[]>> recordsOf(ConsumerTask<String, byte[]> records, String taskId) {
        return records.getRecords().stream().filter(r -> taskId.equals(r.key())).toList();
    }

    /** The emulator's request counters: "GET /v2/spot/bids" → count. */
    static Map<String, Long> requestCounters(MithrilEmulator emulator) {
        try {
            return FlowJson.mapper().readValue(emulator.requestCounters(), new TypeReference<Map<String, Long>>() {
            });
        } catch (Exception e) {
            throw new IllegalStateException("unreadable request counters", e);
        }
    }
}
