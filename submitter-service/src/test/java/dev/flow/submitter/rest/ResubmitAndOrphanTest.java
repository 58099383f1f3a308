package dev.flow.submitter.rest;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.model.event.BidPlaced;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.ResubmitTask;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskResubmitted;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.service.TaskIds;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.OTHER_PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.projectFid;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** Issue 6 on the submitter's side: {@code ResubmitTask} after a preemption, and {@code StopTask(ORPHAN)}. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ResubmitAndOrphanTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    ConsumerTask<String, byte[]> lifecycle;

    @BeforeEach
    void followLifecycle() {
        lifecycle = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.TASK_LIFECYCLE);
    }

    @AfterEach
    void stopFollowing() {
        lifecycle.stop();
    }

    private String submitWithRetry(String retry) {
        return submit(("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", "
                + "\"env\": {\"SECRET\": \"s3cr3t\"}, \"max_price_per_hour\": 0.01%s}")
                .formatted(uniqueName("preempt"), retry)).then().statusCode(201).extract().path("task_id");
    }

    private void command(FlowEvent... events) {
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(java.util.Arrays.stream(events)
                .map(e -> record(Topics.TASK_COMMANDS, e)).toList()).awaitCompletion();
    }

    private static Bid bid(String fid) {
        return mithril().getBid(fid).await().atMost(WAIT);
    }

    @Test
    void resubmitPlacesACopyOfTheBidNamedAfterTheRestartThenEndsTheTaskPastMaxRestarts() {
        String taskId = submitWithRetry(", \"retry\": {\"on_preemption\": true, \"max_restarts\": 1}");
        Bid first = bidOf(taskId).orElseThrow();

        // twice, as a redelivery would: one restart, one new bid
        ResubmitTask resubmit = new ResubmitTask(taskId, TransitionReason.PREEMPTED, Instant.now());
        command(resubmit);
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("restart_count", equalTo(1))
                .body("bid_name", equalTo("flow-" + taskId + "-r1")));
        String newFid = asAlice().get("/v1/tasks/" + taskId).then().extract().path("bid_fid");
        assertThat(newFid).isNotEqualTo(first.fid());
        Bid second = bid(newFid);
        assertThat(second.name()).isEqualTo(TaskIds.bidName(taskId, 1));
        // a copy: same place, type, price, size, keys and startup script (env values included, never stored here)
        assertThat(second.region()).isEqualTo(first.region());
        assertThat(second.instanceType()).isEqualTo(first.instanceType());
        assertThat(second.limitPrice()).isEqualTo(first.limitPrice());
        assertThat(second.instanceQuantity()).isEqualTo(first.instanceQuantity());
        assertThat(second.launchSpecification().sshKeys()).isEqualTo(first.launchSpecification().sshKeys());
        assertThat(second.launchSpecification().startupScript()).isEqualTo(first.launchSpecification().startupScript());
        // the preempted bid is cancelled: never two live bids (double billing)
        assertThat(bid(first.fid()).status()).isEqualTo(BidStatus.TERMINATED);

        List<FlowEvent> events = eventsOf(taskId, 4);
        assertThat(events.get(2)).isInstanceOf(TaskResubmitted.class);
        TaskResubmitted resubmitted = (TaskResubmitted) events.get(2);
        assertThat(resubmitted.restartCount()).isEqualTo(1);
        assertThat(resubmitted.oldBidFid()).isEqualTo(first.fid());
        assertThat(resubmitted.newBidFid()).isEqualTo(newFid);
        assertThat(((BidPlaced) events.get(3)).bidFid()).isEqualTo(newFid);

        // past max_restarts (1): the task ends, like StopTask(PREEMPTED)
        command(new ResubmitTask(taskId, TransitionReason.PREEMPTED, Instant.now()));
        await().atMost(WAIT).until(() -> bid(newFid).status() == BidStatus.TERMINATED);
        asAlice().get("/v1/tasks/" + taskId).then().body("cancel_requested", equalTo(true))
                .body("restart_count", equalTo(1));
        CancelRequested cancel = (CancelRequested) eventsOf(taskId, 5).get(4);
        assertThat(cancel.reason()).isEqualTo(TransitionReason.PREEMPTED);
        assertThat(cancel.requestedBy()).isEqualTo("submitter-service");
        assertThat(mithril().findBidByName(projectFid(PROJECT), TaskIds.bidName(taskId, 2)).await().atMost(WAIT))
                .isEmpty();
    }

    @Test
    void aTaskWithoutTheRetryPolicyIsNotResubmitted() {
        String taskId = submitWithRetry("");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        // same key, same partition: once the StopTask after it is handled, the ResubmitTask was handled too
        command(new ResubmitTask(taskId, TransitionReason.PREEMPTED, Instant.now()),
                new StopTask(taskId, TransitionReason.USER_CANCEL, "test", Instant.now()));
        await().atMost(WAIT).until(() -> bid(bidFid).status() == BidStatus.TERMINATED);
        asAlice().get("/v1/tasks/" + taskId).then().body("restart_count", equalTo(0)).body("bid_fid", equalTo(bidFid));
        assertThat(mithril().findBidByName(projectFid(PROJECT), TaskIds.bidName(taskId, 1)).await().atMost(WAIT))
                .isEmpty();
    }

    @Test
    void stopTaskOrphanCancelsTheBidsNamedAfterAnUnknownTaskInAnyProject() {
        String unknown = TaskIds.next();
        String bystander = TaskIds.next();
        String other = projectFid(OTHER_PROJECT);
        Auction offer = mithril().spotAvailability().await().atMost(WAIT).getFirst();
        // a crashed submit's bid, and its resubmission's, in the other project; plus a bid of another task
        Bid orphan = place(other, offer, TaskIds.bidName(unknown));
        Bid orphanRestart = place(other, offer, TaskIds.bidName(unknown, 1));
        Bid notOurs = place(other, offer, TaskIds.bidName(bystander));

        command(new StopTask(unknown, TransitionReason.ORPHAN, "status-poller", Instant.now()));
        await().atMost(WAIT).until(() -> bid(orphan.fid()).status() == BidStatus.TERMINATED
                && bid(orphanRestart.fid()).status() == BidStatus.TERMINATED);
        assertThat(bid(notOurs.fid()).status()).isNotEqualTo(BidStatus.TERMINATED);
        // nothing is published for a task the platform never knew
        assertThat(lifecycle.getRecords()).noneMatch(r -> unknown.equals(r.key()));
        mithril().cancelBid(notOurs.fid()).await().atMost(WAIT);
        assertThat(mithril().listBidsPage(BidQuery.inProject(other).withName(TaskIds.bidName(unknown)))
                .await().atMost(WAIT).data()).allMatch(b -> b.status() == BidStatus.TERMINATED);
    }

    private static Bid place(String projectFid, Auction offer, String name) {
        return mithril().createBid(new CreateBidRequest(projectFid, offer.region(), offer.instanceType(),
                Money.parse("$0.01"), 1, name, LaunchSpecification.of(List.of(), List.of(), "#!/bin/bash\necho orphan\n")))
                .await().atMost(WAIT);
    }

    private List<FlowEvent> eventsOf(String taskId, int count) {
        await().atMost(WAIT).until(() -> ours(taskId).size() >= count);
        List<ConsumerRecord<String, byte[]>> records = ours(taskId);
        assertThat(records).hasSize(count);
        return records.stream().map(r -> EventCodec.decode(CloudEventRecords.headersOf(r), r.value()).orElseThrow())
                .toList();
    }

    private List<ConsumerRecord<String, byte[]>> ours(String taskId) {
        return lifecycle.getRecords().stream().filter(r -> taskId.equals(r.key()))
                .filter(r -> "/flow/submitter-service".equals(CloudEventRecords.headersOf(r).get("ce_source"))).toList();
    }
}
