package dev.flow.submitter;

import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.common.serialization.Serdes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.projectFid;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * A task that really runs on the emulator, as the poller would report it: the test submits it through the API,
 * waits for the bid's instances to run at the emulator (each with its own SSH server), then publishes the
 * {@code TaskStatusChanged(RUNNING)} the poller would publish, with each node's SSH address.
 */
public final class RunningTasks {

    static final Duration WAIT = Duration.ofSeconds(60);

    private RunningTasks() {
    }

    /** Submits {@code body} and returns the task id once the submitter sees it running on every node. */
    public static String submitAndRun(KafkaCompanion kafka, String body) {
        String taskId = SubmitterTestSupport.submit(body).then().statusCode(201).extract().path("task_id");
        markRunning(kafka, taskId);
        return taskId;
    }

    /** Waits for the task's instances at the emulator and tells the submitter it runs (the poller's event). */
    public static List<InstanceInfo> markRunning(KafkaCompanion kafka, String taskId) {
        String bidFid = bidOf(taskId).orElseThrow().fid();
        int nodes = mithril().getBid(bidFid).await().atMost(WAIT).instanceQuantity();
        List<Instance> instances = await().atMost(WAIT).until(() -> mithril().listInstances(
                                InstanceQuery.inProject(projectFid(PROJECT)).withBidFidIn(List.of(bidFid)))
                        .collect().asList().await().atMost(WAIT),
                list -> list.size() == nodes && list.stream().allMatch(i -> i.status() == InstanceStatus.STATUS_RUNNING
                        && i.sshDestination() != null));
        List<InstanceInfo> infos = instances.stream().map(i -> {
            String[] hostPort = i.sshDestination().split(":");
            // instances of a bid are named <bid name>-<node>
            int node = Integer.parseInt(i.name().substring(i.name().lastIndexOf('-') + 1));
            return new InstanceInfo(i.fid(), node, "STATUS_RUNNING", hostPort[0],
                    hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 22);
        }).toList();
        Instant now = Instant.now();
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_STATUS,
                new TaskStatusChanged(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING,
                        TransitionReason.ALLOCATED, now, now, infos, null, nodes, bidFid, null, null, 0, "running")))
                .awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then()
                .body("is_running", equalTo(true)));
        return infos;
    }

    /** Ends the task's bid at the emulator (its processes stop there); for clean-up after the application stopped. */
    public static void cancelBid(String taskId) {
        bidOf(taskId).ifPresent(bid -> mithril().cancelBid(bid.fid()).await().atMost(WAIT));
    }
}
