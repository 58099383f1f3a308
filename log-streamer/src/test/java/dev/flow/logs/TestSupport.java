package dev.flow.logs;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskSnapshot;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.startup.WorkloadBlock;
import dev.flow.model.startup.WorkloadSpec;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/** Bids on the emulator and events on Kafka, as the submitter and the poller would produce them. */
final class TestSupport {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestSupport() {
    }

    static String newTaskId() {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        StringBuilder id = new StringBuilder("task-");
        IntStream.range(0, 16).forEach(i -> id.append(alphabet.charAt(RANDOM.nextInt(alphabet.length()))));
        return id.toString();
    }

    /** Places a bid running {@code command} on {@code nodes} nodes with the platform key; its RUNNING instances. */
    static List<Instance> runningBid(MithrilClient mithril, String taskId, String command, int nodes) {
        Auction auction = mithril.spotAvailability().await().atMost(Duration.ofSeconds(30)).stream()
                .filter(a -> a.capacity() >= nodes).findFirst().orElseThrow();
        WorkloadSpec spec = new WorkloadSpec(taskId, command, "ubuntu:24.04", Map.of(), "/workspace", List.of(), nodes,
                List.of());
        String script = "#!/bin/bash\n" + WorkloadBlock.encode(spec) + "echo booting\n";
        Bid bid = mithril.createBid(new CreateBidRequest(PlatformKeyResource.projectFid, auction.region(),
                        auction.instanceType(), auction.lastInstancePrice().times(3), nodes, "flow-" + taskId,
                        LaunchSpecification.of(List.of(PlatformKeyResource.keyFid), List.of(), script)))
                .await().atMost(Duration.ofSeconds(30));
        return await().atMost(Duration.ofSeconds(30)).until(() -> mithril.listInstances(
                                InstanceQuery.inProject(PlatformKeyResource.projectFid).withBidFidIn(List.of(bid.fid())))
                        .collect().asList().await().atMost(Duration.ofSeconds(10)),
                list -> list.size() == nodes && list.stream().allMatch(i -> i.status() == InstanceStatus.STATUS_RUNNING
                        && i.sshDestination() != null));
    }

    static List<InstanceInfo> infos(List<Instance> instances) {
        return instances.stream().map(i -> {
            String[] hostPort = i.sshDestination().split(":");
            int node = Integer.parseInt(i.name().substring(i.name().lastIndexOf('-') + 1));
            return new InstanceInfo(i.fid(), node, "STATUS_RUNNING", hostPort[0],
                    hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 22);
        }).toList();
    }

    static TaskStatusChanged status(String taskId, String project, TaskStatus from, TaskStatus to,
                                    List<InstanceInfo> instances) {
        return new TaskStatusChanged(taskId, project, from, to,
                to == TaskStatus.RUNNING ? TransitionReason.ALLOCATED : TransitionReason.SUBMITTED, Instant.now(),
                Instant.now(), instances, null, Math.max(1, instances.size()), null, null, null, 0, null);
    }

    /** The same for a task of {@code numInstances} nodes (the TaskConfig's {@code num_instances}). */
    static TaskStatusChanged status(String taskId, String project, TaskStatus to, int numInstances) {
        return new TaskStatusChanged(taskId, project, null, to,
                to == TaskStatus.RUNNING ? TransitionReason.ALLOCATED : TransitionReason.SUBMITTED, Instant.now(),
                Instant.now(), List.of(), null, numInstances, null, null, null, 0, null);
    }

    /** The poller's compacted snapshot of a task, as a replica that takes the task's partition over reads it. */
    static TaskSnapshot snapshot(String taskId, String project, TaskStatus status, List<InstanceInfo> instances) {
        Instant now = Instant.now();
        return new TaskSnapshot(taskId, project, "test", status, TransitionReason.ALLOCATED, instances, now, now, null,
                null, null, null, Math.max(1, instances.size()), null, 0, null, 1, now);
    }

    /** Publishes an event as the service that owns it would: CloudEvents headers, keyed by task id. */
    static void publish(KafkaCompanion kafka, FlowEvent event) {
        kafka.produce(String.class, byte[].class)
                .fromRecords(CloudEventRecords.toProducerRecord(event.topic(), event, "/flow/test",
                        UUID.randomUUID().toString()))
                .awaitCompletion(Duration.ofSeconds(30));
    }

    /** The events of one task seen so far by a consumer. */
    static <T extends FlowEvent> List<T> eventsOf(ConsumerTask<String, byte[]> task, String taskId, Class<T> type) {
        return task.getRecords().stream().filter(r -> taskId.equals(r.key()))
                .map(TestSupport::decode).filter(type::isInstance).map(type::cast).toList();
    }

    private static FlowEvent decode(ConsumerRecord<String, byte[]> record) {
        return CloudEventRecords.fromRecord(record).orElse(null);
    }
}
