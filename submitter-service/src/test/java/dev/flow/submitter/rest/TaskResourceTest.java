package dev.flow.submitter.rest;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.model.event.CancelRequested;
import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.StopTask;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.event.Topics;
import dev.flow.model.event.WorkloadExited;
import dev.flow.model.money.Money;
import dev.flow.model.startup.WorkloadBlock;
import dev.flow.model.startup.WorkloadSpec;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.SubmitterTestSupport;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.submitter.service.TaskIds;
import dev.flow.submitter.service.TaskStore;
import dev.flow.model.json.FlowJson;
import dev.flow.model.task.TaskConfig;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.LaunchSpecification;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.flow.submitter.SubmitterTestSupport.OTHER_PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.bidCreations;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
// MATCHING_RESOURCES: the REST test classes share one application start (and broker, database)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TaskResourceTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @jakarta.inject.Inject
    TaskStore store;

    @jakarta.inject.Inject
    io.vertx.core.Vertx vertx;

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

    @Test
    void submitPlacesTheNamedBidAndPublishesRedactedCloudEvents() {
        String secret = "s3cr3t-" + UUID.randomUUID();
        String name = uniqueName("train");
        Response response = submit("""
                {"name": "%s", "instance_type": "a100", "command": "sleep 60", "env": {"API_TOKEN": "%s"},
                 "max_price_per_hour": 9.759, "ports": [8888]}""".formatted(name, secret));
        response.then().statusCode(201)
                .header("Location", containsString("/v1/tasks/task-"))
                .body("task_id", matchesPattern("^task-[0-9a-z]{16}$"))
                .body("name", equalTo(name))
                .body("status", equalTo("pending"))
                .body("instance_type", equalTo("a100"))
                .body("instance_type_name", equalTo("a100-80gb.sxm.1x"))
                .body("num_instances", equalTo(1))
                .body("limit_price", equalTo("$9.75"))
                .body("cost_per_hour", equalTo("$0.00")) // pending: nothing is paid yet
                .body("total_cost", equalTo(null))
                .body("ssh_user", equalTo("ubuntu"))
                .body("is_running", equalTo(false))
                .body("is_terminal", equalTo(false))
                .body("config.env.API_TOKEN", equalTo("***"))
                .body("config.command", equalTo("sleep 60"));
        assertThat(response.asString()).doesNotContain(secret);
        String taskId = response.path("task_id");
        String region = response.path("region");

        Bid bid = bidOf(taskId).orElseThrow();
        assertThat(bid.name()).isEqualTo("flow-" + taskId);
        assertThat(bid.instanceQuantity()).isEqualTo(1);
        assertThat(bid.limitPrice()).isEqualTo(Money.parse("$9.75"));
        assertThat(bid.region()).isEqualTo(region);
        Map<String, InstanceType> types = mithril().instanceTypes().await().atMost(WAIT).stream()
                .collect(Collectors.toMap(InstanceType::fid, Function.identity()));
        assertThat(types.get(bid.instanceType()).name()).isEqualTo("a100-80gb.sxm.1x");
        // the cheapest region that had capacity
        List<Auction> a100 = mithril().spotAvailability().await().atMost(WAIT).stream()
                .filter(a -> types.get(a.instanceType()).name().equals("a100-80gb.sxm.1x")).toList();
        Money cheapest = a100.stream().map(Auction::lastInstancePrice).min(Money::compareTo).orElseThrow();
        assertThat(a100.stream().filter(a -> a.region().equals(region)).findFirst().orElseThrow().lastInstancePrice())
                .isEqualTo(cheapest);
        assertThat(bid.launchSpecification().sshKeys()).contains(PlatformKeyTestResource.platformKeyFid());
        String script = bid.launchSpecification().startupScript();
        assertThat(script).startsWith("#!/bin/bash\n").contains("set -euo pipefail").contains("--name=main");
        WorkloadSpec spec = WorkloadBlock.find(script).orElseThrow();
        assertThat(spec.taskId()).isEqualTo(taskId);
        assertThat(spec.command()).isEqualTo("sleep 60");
        assertThat(spec.env()).containsEntry("API_TOKEN", secret);
        assertThat(spec.ports()).containsExactly(8888);

        List<ConsumerRecord<String, byte[]>> events = eventsOf(taskId, 2);
        assertThat(events).extracting(r -> CloudEventRecords.headersOf(r).get("ce_type"))
                .containsExactly("dev.flow.task.submitted.v1", "dev.flow.task.bid.placed.v1");
        for (ConsumerRecord<String, byte[]> r : events) {
            Map<String, String> h = CloudEventRecords.headersOf(r);
            assertThat(h).containsEntry("ce_specversion", "1.0").containsEntry("ce_source", "/flow/submitter-service")
                    .containsEntry("ce_subject", taskId).containsEntry("content-type", "application/json")
                    .containsKeys("ce_time", "ce_id");
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).doesNotContain(secret);
        }
        assertThat(Long.parseLong(CloudEventRecords.headersOf(events.get(1)).get("ce_id")))
                .isGreaterThan(Long.parseLong(CloudEventRecords.headersOf(events.get(0)).get("ce_id")));
        TaskSubmitted submitted = (TaskSubmitted) decode(events.get(0));
        assertThat(submitted.config().env()).containsEntry("API_TOKEN", "***");
        assertThat(submitted.limitPrice()).isEqualTo(Money.parse("$9.75"));
        assertThat(submitted.project()).isEqualTo(PROJECT);

        asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("bid_fid", equalTo(bid.fid()))
                .body("bid_name", equalTo("flow-" + taskId))
                .body("config.env.API_TOKEN", equalTo("***"));
    }

    @Test
    void volumesAreCreatedOnFirstUseAndAttachedToTheBid() {
        String volume = uniqueName("data");
        String body = """
                {"name": "%s", "instance_type": "a100", "command": "ls /data", "volumes": [{"name": "%s", "size_gb": 10}]}"""
                .formatted(uniqueName("vol"), volume);
        Response response = submit(body);
        response.then().statusCode(201).body("config.volumes[0].name", equalTo(volume))
                .body("config.volumes[0].mount_path", equalTo("/data"));
        Bid bid = bidOf(response.path("task_id")).orElseThrow();
        String projectFid = SubmitterTestSupport.projectFid(PROJECT);
        var created = mithril().findVolumeByName(projectFid, bid.region(), volume).await().atMost(WAIT).orElseThrow();
        assertThat(created.capacityGb()).isEqualTo(10);
        assertThat(bid.launchSpecification().volumes()).containsExactly(created.fid());
        assertThat(WorkloadBlock.find(bid.launchSpecification().startupScript()).orElseThrow().volumes())
                .containsExactly(new WorkloadSpec.Mount(volume, "/data"));
    }

    @Test
    void withoutAMaxPriceTheLimitIsAMultipleOfTheMarketPrice() {
        String region = mithril().spotAvailability().await().atMost(WAIT).getFirst().region();
        emulator.setSpotPrice("a100-80gb.sxm.2x", region, "$2.01");
        Response response = submit("""
                {"name": "%s", "instance_type": "2xa100", "region": "%s", "command": ["echo", "hi there"]}"""
                .formatted(uniqueName("priced"), region));
        response.then().statusCode(201).body("region", equalTo(region)).body("limit_price", equalTo("$3.02"));
        Bid bid = bidOf(response.path("task_id")).orElseThrow();
        assertThat(bid.limitPrice()).isEqualTo(Money.parse("$3.02")); // 2.01 × 1.5 = 3.015, rounded up
        assertThat(bid.region()).isEqualTo(region);
    }

    @Test
    void minGpuMemoryPicksTheCheapestLargeEnoughType() {
        Response response = submit("""
                {"name": "%s", "min_gpu_memory_gb": 150, "num_instances": 2, "command": "sleep 60"}"""
                .formatted(uniqueName("memory")));
        response.then().statusCode(201).body("num_instances", equalTo(2));
        Bid bid = bidOf(response.path("task_id")).orElseThrow();
        assertThat(bid.instanceQuantity()).isEqualTo(2);
        Map<String, InstanceType> types = mithril().instanceTypes().await().atMost(WAIT).stream()
                .collect(Collectors.toMap(InstanceType::fid, Function.identity()));
        InstanceType chosen = types.get(bid.instanceType());
        assertThat(chosen.gpuMemoryGb() * chosen.numGpus()).isGreaterThanOrEqualTo(150);
        Money cheapest = mithril().spotAvailability().await().atMost(WAIT).stream()
                .filter(a -> types.get(a.instanceType()).gpuMemoryGb() * types.get(a.instanceType()).numGpus() >= 150)
                .map(Auction::lastInstancePrice).min(Money::compareTo).orElseThrow();
        Money chosenPrice = mithril().spotAvailability().await().atMost(WAIT).stream()
                .filter(a -> a.instanceType().equals(bid.instanceType())).findFirst().orElseThrow().lastInstancePrice();
        assertThat(chosenPrice).isEqualTo(cheapest);
        assertThat(bid.limitPrice().amount())
                .isEqualByComparingTo(chosenPrice.amount().multiply(new BigDecimal("1.5")).setScale(2, RoundingMode.UP));
    }

    @Test
    void invalidTasksAre422ProblemsAndPlaceNoBid() {
        long before = bidCreations(emulator);

        submit("{\"instance_type\": \"gpu.nvidia.a100\", \"command\": \"x\"}").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://flow.dev/errors/ValidationError"))
                .body("errors[0].field", equalTo("instance_type"))
                .body("suggestions", hasItem("a100"));
        submit("{\"instance_type\": \"a100\"}").then().statusCode(422)
                .contentType("application/problem+json")
                .body("errors.field", hasItem("command"));
        submit("{\"instance_type\": \"a100\", \"command\": \"x\", \"ports\": [80]}").then().statusCode(422)
                .body("errors.field", hasItem("ports[0]"));
        submit("{\"instance_typ\": \"a100\", \"command\": \"x\"}").then().statusCode(422)
                .body("errors.suggestion", hasItem("instance_type"));
        submit("{\"instance_type\": \"a100\", \"command\": \"x\", \"region\": \"mars-central1-a\"}").then()
                .statusCode(422).body("errors[0].field", equalTo("region"));
        submit("{\"instance_type\": \"a100\", \"command\": \"x\", \"ssh_keys\": [\"no-such-key\"]}").then()
                .statusCode(422).body("errors[0].field", equalTo("ssh_keys[0]"));
        submit("not json").then().statusCode(422).contentType("application/problem+json");
        // flow-other has no key of its own, and the platform key belongs to flow-dev: no key at all
        given().header("Authorization", "Bearer " + DevJwt.shared().token("bob", List.of(OTHER_PROJECT)))
                .contentType("application/json").body("{\"instance_type\": \"a100\", \"command\": \"x\"}")
                .post("/v1/tasks").then().statusCode(422)
                .body("errors[0].field", equalTo("ssh_keys")).body("errors[0].reason", containsString("no SSH key"));

        assertThat(bidCreations(emulator)).isEqualTo(before);
    }

    @Test
    void aBidMithrilRefusesFailsTheTaskAndPublishesNothing() {
        String name = uniqueName("refused");
        emulator.fail("POST", "/v2/spot/bids", 400, null, 1);
        submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}".formatted(name))
                .then().statusCode(422).contentType("application/problem+json");
        String refused = asAlice().get("/v1/tasks?status=failed&limit=500").then().statusCode(200)
                .body("data.find { it.name == '%s' }.reason".formatted(name), equalTo("PROVIDER_ERROR"))
                .body("data.find { it.name == '%s' }.message".formatted(name), containsString("Mithril refused the bid"))
                .extract().path("data.find { it.name == '%s' }.task_id".formatted(name));
        assertThat(bidOf(refused)).isEmpty();
        // the relay publishes in outbox order: once a later task's events are out, the refused one had none
        String later = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("later"))).then().statusCode(201).extract().path("task_id");
        eventsOf(later, 2);
        assertThat(ours(refused)).isEmpty();
    }

    /**
     * Mithril busy through every retry of the client, with no bid by the task's name: nothing was created, so nothing
     * is kept (neither a failed task nor the key), the answer is a 503 with Mithril's Retry-After, and the client's
     * retry with the same Idempotency-Key places the task, once.
     */
    @Test
    void aBidMithrilCannotTakeNowLeavesNoTaskAndTheRetryWithTheSameKeyPlacesIt() {
        String key = "busy-" + UUID.randomUUID();
        String keyed = uniqueName("busy");
        String keyless = uniqueName("busy-nokey");
        String body = "{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}";
        long before = bidCreations(emulator);
        emulator.fail("POST", "/v2/spot/bids", 429, 1, 1_000);
        try {
            for (boolean withKey : List.of(true, false)) {
                var request = asAlice().contentType("application/json").body(body.formatted(withKey ? keyed : keyless));
                (withKey ? request.header("Idempotency-Key", key) : request).post("/v1/tasks").then()
                        .statusCode(503).contentType("application/problem+json").header("Retry-After", "1")
                        .body("title", equalTo("FlowError"))
                        .body("detail", containsString("no task was created"))
                        .body("suggestions[0]", withKey ? containsString("same Idempotency-Key")
                                : containsString("retry after 1 s"));
            }
        } finally {
            emulator.clearFaults();
        }
        for (String name : List.of(keyed, keyless)) {
            asAlice().queryParam("name", name).get("/v1/tasks").then().statusCode(200).body("data.size()", equalTo(0));
        }
        assertThat(bidCreations(emulator) - before).as("bid creations refused with 429").isGreaterThan(1);

        long beforeRetry = bidCreations(emulator);
        String placed = asAlice().header("Idempotency-Key", key).contentType("application/json")
                .body(body.formatted(keyed)).post("/v1/tasks").then().statusCode(201).extract().path("task_id");
        asAlice().header("Idempotency-Key", key).contentType("application/json").body(body.formatted(keyed))
                .post("/v1/tasks").then().statusCode(200).body("task_id", equalTo(placed));
        assertThat(bidCreations(emulator)).isEqualTo(beforeRetry + 1);
        assertThat(bidOf(placed)).isPresent();
        asAlice().queryParam("name", keyed).get("/v1/tasks").then().statusCode(200).body("data.size()", equalTo(1));
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstTaskAndPlacesOneBid() {
        String key = "retry-" + UUID.randomUUID();
        String body = "{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("once"));
        long before = bidCreations(emulator);
        String first = asAlice().header("Idempotency-Key", key).contentType("application/json").body(body)
                .post("/v1/tasks").then().statusCode(201).extract().path("task_id");
        asAlice().header("Idempotency-Key", key).contentType("application/json").body(body)
                .post("/v1/tasks").then().statusCode(200).body("task_id", equalTo(first));
        assertThat(bidCreations(emulator)).isEqualTo(before + 1);
        asAlice().header("Idempotency-Key", "bad key with spaces").contentType("application/json").body(body)
                .post("/v1/tasks").then().statusCode(422).body("errors[0].field", equalTo("Idempotency-Key"));
    }

    @Test
    void anIdempotencyKeyReusedWithAnotherBodyIs422AndCreatesNothing() {
        String key = "reuse-" + UUID.randomUUID();
        String name = uniqueName("fp");
        String body = "{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", \"env\": {\"A\": \"1\"}}"
                .formatted(name);
        String first = asAlice().header("Idempotency-Key", key).contentType("application/json").body(body)
                .post("/v1/tasks").then().statusCode(201).extract().path("task_id");
        long bids = bidCreations(emulator);
        // the same request re-serialised (keys reordered, blanks): still a replay
        String reordered = "{ \"env\":{\"A\":\"1\"},\"command\":\"sleep 60\",\"instance_type\":\"a100\",\"name\":\"%s\" }"
                .formatted(name);
        asAlice().header("Idempotency-Key", key).contentType("application/json").body(reordered)
                .post("/v1/tasks").then().statusCode(200).body("task_id", equalTo(first));
        // a changed env value (never stored in clear) is a different request
        asAlice().header("Idempotency-Key", key).contentType("application/json").body(body.replace("\"1\"", "\"2\""))
                .post("/v1/tasks").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("Idempotency-Key"))
                .body("errors[0].reason", containsString(first))
                .body(not(containsString("\"2\"")));
        asAlice().header("Idempotency-Key", key).contentType("application/json").body("not json")
                .post("/v1/tasks").then().statusCode(422).body("errors[0].field", equalTo("Idempotency-Key"));
        assertThat(bidCreations(emulator)).isEqualTo(bids);
        asAlice().queryParam("limit", 500).get("/v1/tasks").then().statusCode(200)
                .body("data.findAll { it.name == '%s' }.size()".formatted(name), equalTo(1));
    }

    @Test
    void interruptedSubmissionsAreAdoptedWhenTheirBidExistsElseFailed() throws Exception {
        Map<String, InstanceType> types = mithril().instanceTypes().await().atMost(WAIT).stream()
                .collect(Collectors.toMap(InstanceType::fid, Function.identity()));
        Auction offer = mithril().spotAvailability().await().atMost(WAIT).stream()
                .filter(a -> types.get(a.instanceType()).name().equals("a100-80gb.sxm.1x")).findFirst().orElseThrow();
        String projectFid = SubmitterTestSupport.projectFid(PROJECT);
        // the service "stopped" after writing these rows: one bid reached Mithril, the other did not. The bid is
        // placed before the rows are written: the reconciler (every second here) must never see the first row
        // without its bid, which would be a third case, the one the second row stands for
        TaskEntity withBid = stuckTask(projectFid, offer);
        TaskEntity withoutBid = stuckTask(projectFid, offer);
        Bid bid = mithril().createBid(new CreateBidRequest(projectFid, offer.region(), offer.instanceType(),
                Money.parse("$5.00"), 1, withBid.bidName, LaunchSpecification.of(
                        List.of(PlatformKeyTestResource.platformKeyFid()), List.of(), "#!/bin/bash\necho adopted\n")))
                .await().atMost(WAIT);
        onVertx(() -> store.insertPending(withBid));
        onVertx(() -> store.insertPending(withoutBid));

        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + withBid.id).then()
                .body("bid_fid", equalTo(bid.fid())).body("status", equalTo("pending")));
        assertThat(eventsOf(withBid.id, 2)).extracting(r -> CloudEventRecords.headersOf(r).get("ce_type"))
                .containsExactly("dev.flow.task.submitted.v1", "dev.flow.task.bid.placed.v1");
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + withoutBid.id).then()
                .body("status", equalTo("failed")).body("reason", equalTo("PROVIDER_ERROR"))
                .body("bid_fid", equalTo(null)));
    }

    private static TaskEntity stuckTask(String projectFid, Auction offer) throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        TaskEntity task = new TaskEntity();
        task.id = TaskIds.next();
        task.project = PROJECT;
        task.projectFid = projectFid;
        task.name = uniqueName("stuck");
        task.status = "pending";
        task.reason = "SUBMITTED";
        task.message = "placing the bid";
        task.configJson = FlowJson.mapper().writeValueAsString(TaskConfig.builder().name(task.name)
                .instanceType("a100").command("sleep 60").env(Map.of("K", "v")).build().redacted());
        task.instanceType = "a100";
        task.instanceTypeName = "a100-80gb.sxm.1x";
        task.instanceTypeFid = offer.instanceType();
        task.region = offer.region();
        task.numInstances = 1;
        task.limitPrice = new BigDecimal("5.00");
        task.bidName = TaskIds.bidName(task.id);
        task.createdAt = longAgo;
        task.updatedAt = longAgo;
        return task;
    }

    /** Runs a unit of work of the service on a fresh Vert.x context (as a request would) and waits for it. */
    private <T> T onVertx(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) throws Exception {
        io.vertx.core.Context context = io.smallrye.common.vertx.VertxContext
                .createNewDuplicatedContext(vertx.getOrCreateContext());
        io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle.setContextSafe(context, true);
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(ignored -> work.get().subscribe().with(result::complete, result::completeExceptionally));
        return result.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void requestsNeedAValidToken() {
        given().get("/v1/tasks").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"));
        String expired = DevJwt.shared().token("alice", List.of(PROJECT), Set.of(), Duration.ofMinutes(-10));
        given().header("Authorization", "Bearer " + expired).get("/v1/tasks").then().statusCode(401);
        String foreign = DevJwt.generate().token("alice", List.of(PROJECT));
        given().header("Authorization", "Bearer " + foreign).contentType("application/json")
                .body("{\"instance_type\": \"a100\", \"command\": \"x\"}").post("/v1/tasks").then().statusCode(401);
    }

    @Test
    void readinessCoversMithrilKafkaAndTheDatabaseAndTheApiIsDescribed() {
        given().get("/q/health/ready").then().log().ifValidationFails().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("mithril"))
                .body("checks.name", hasItem("Kafka connection health check"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/v1/tasks/{id}")).body(containsString("max_price_per_hour"))
                .body(containsString("/v1/instances")).body(containsString("/v1/volumes/{volume}"));
    }

    @Test
    void anotherProjectsTaskIsNotFound() {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("mine"))).then().statusCode(201).extract().path("task_id");
        String bob = DevJwt.shared().token("bob", List.of(OTHER_PROJECT));
        given().header("Authorization", "Bearer " + bob).get("/v1/tasks/" + taskId).then().statusCode(404)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer " + bob).delete("/v1/tasks/" + taskId).then().statusCode(404);
        given().header("Authorization", "Bearer " + bob).get("/v1/tasks?limit=500").then().statusCode(200)
                .body("data.task_id", not(hasItem(taskId)));
        asAlice().get("/v1/tasks/task-doesnotexist0000").then().statusCode(404);
        asAlice().queryParam("project", OTHER_PROJECT).contentType("application/json")
                .body("{\"instance_type\": \"a100\", \"command\": \"x\"}").post("/v1/tasks").then().statusCode(422)
                .body("errors[0].field", equalTo("project"));
        assertThat(bidOf(taskId)).isPresent();
    }

    @Test
    void listIsNewestFirstAndFiltersByStatus() {
        String first = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("older"))).then().statusCode(201).extract().path("task_id");
        String second = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("newer"))).then().statusCode(201).extract().path("task_id");
        List<String> ids = asAlice().get("/v1/tasks?limit=500").then().statusCode(200).extract().path("data.task_id");
        assertThat(ids).contains(first, second);
        assertThat(ids.indexOf(second)).isLessThan(ids.indexOf(first));
        asAlice().get("/v1/tasks?limit=1").then().statusCode(200).body("data.size()", equalTo(1));
        asAlice().get("/v1/tasks?status=pending,running&limit=500").then().statusCode(200)
                .body("data.task_id", hasItem(second));
        asAlice().get("/v1/tasks?status=completed&limit=500").then().statusCode(200)
                .body("data.task_id", not(hasItem(second)));
        asAlice().get("/v1/tasks?status=bogus").then().statusCode(422).body("errors[0].field", equalTo("status"));
        asAlice().get("/v1/tasks?limit=0").then().statusCode(422).body("errors[0].field", equalTo("limit"));
    }

    @Test
    void cancelCancelsTheBidOnceAndAFinishedTaskIsLeftAlone() {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("cancel"))).then().statusCode(201).extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();

        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202)
                .body("cancel_requested", equalTo(true)).body("task_id", equalTo(taskId));
        awaitBidTerminated(bidFid);
        asAlice().post("/v1/tasks/" + taskId + "/stop").then().statusCode(202);

        // the poller closes it; then a cancel is a no-op
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_STATUS,
                new TaskStatusChanged(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.CANCELLED,
                        TransitionReason.USER_CANCEL, at, at, List.of(), null, 1, bidFid, null, "a100", 0,
                        "cancelled by alice"))).awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then()
                .body("status", equalTo("cancelled")).body("is_terminal", equalTo(true)));
        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(200).body("status", equalTo("cancelled"));

        List<ConsumerRecord<String, byte[]>> events = eventsOf(taskId, 3);
        assertThat(events).extracting(r -> CloudEventRecords.headersOf(r).get("ce_type")).containsExactly(
                "dev.flow.task.submitted.v1", "dev.flow.task.bid.placed.v1", "dev.flow.task.cancel.requested.v1");
        CancelRequested cancel = (CancelRequested) decode(events.get(2));
        assertThat(cancel.reason()).isEqualTo(TransitionReason.USER_CANCEL);
        assertThat(cancel.requestedBy()).isEqualTo("alice");
    }

    /**
     * Mithril away longer than the cancel's own retries last: the request's attempts run out, and the cancel sweep
     * takes over with one attempt per pass (never a client's backoff), so the bid ends once Mithril answers again.
     */
    @Test
    void aCancelOutlastingItsRetriesIsTriedAgainOnceAPassUntilMithrilConfirms() throws Exception {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("outage"))).then().statusCode(201).extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        double failedBefore = cancelRetries("failed");
        double confirmedBefore = cancelRetries("confirmed");
        int outage = 12; // the request makes 5 attempts (4 retries): the sweep must make at least 7 of these
        emulator.fail("DELETE", "/v2/spot/bids/" + bidFid, 503, null, outage);

        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202).body("cancel_requested", equalTo(true));
        awaitBidTerminated(bidFid);

        com.fasterxml.jackson.databind.JsonNode faults = FlowJson.mapper()
                .readTree(emulator.admin("GET", "/_emulator/faults", null));
        assertThat(faults).filteredOn(f -> f.path("path_pattern").asText().contains(bidFid))
                .singleElement().satisfies(f -> assertThat(f.path("fired").asInt()).isEqualTo(outage));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(cancelRetries("failed") - failedBefore).as("the sweep's failed attempts")
                    .isGreaterThanOrEqualTo(outage - 5);
            assertThat(onVertx(() -> store.find(taskId)).bidCancelledAt).as("Mithril's confirmation")
                    .isNotNull();
        });
        assertThat(cancelRetries("confirmed") + cancelRetries("failed") - confirmedBefore - failedBefore)
                .as("the sweep's attempts").isGreaterThanOrEqualTo(outage - 5);
    }

    /** {@code flow_cancel_retries_total} of one outcome, from the service's own /q/metrics. */
    private static double cancelRetries(String outcome) {
        return given().auth().oauth2(DevJwt.shared().operatorToken("prometheus")).get("/q/metrics").then()
                .statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("flow_cancel_retries_total{") && l.contains("outcome=\"" + outcome + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aCancelMithrilRefusedIsRetriedUntilTheBidIsGone() throws Exception {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("retry"))).then().statusCode(201).extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        emulator.fail("DELETE", "/v2/spot/bids/" + bidFid, 409, null, 1); // not retried by the client
        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202).body("cancel_requested", equalTo(true));
        awaitBidTerminated(bidFid); // by the sweeper: the request's own attempt met the fault
        com.fasterxml.jackson.databind.JsonNode faults = FlowJson.mapper()
                .readTree(emulator.admin("GET", "/_emulator/faults", null));
        assertThat(faults).filteredOn(f -> f.path("path_pattern").asText().contains(bidFid))
                .singleElement().satisfies(f -> assertThat(f.path("fired").asInt()).isEqualTo(1));
    }

    @Test
    void stopTaskCommandCancelsTheBidWithItsReason() {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("budget"))).then().statusCode(201).extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        StopTask stop = new StopTask(taskId, TransitionReason.BUDGET_STOP, "cost-accountant", Instant.now());
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_COMMANDS, stop),
                record(Topics.TASK_COMMANDS, stop)).awaitCompletion(); // twice: idempotent
        awaitBidTerminated(bidFid);
        List<ConsumerRecord<String, byte[]>> events = eventsOf(taskId, 3);
        CancelRequested cancel = (CancelRequested) decode(events.get(2));
        assertThat(cancel.reason()).isEqualTo(TransitionReason.BUDGET_STOP);
        assertThat(cancel.requestedBy()).isEqualTo("cost-accountant");
    }

    @Test
    void workloadExitCancelsTheBidSoBillingStops() {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("exit"))).then().statusCode(201).extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        kafka.produce(Serdes.String(), Serdes.ByteArray())
                .fromRecords(record(Topics.TASK_LIFECYCLE, new WorkloadExited(taskId, 0, 0, Instant.now())))
                .awaitCompletion();
        awaitBidTerminated(bidFid);
        asAlice().get("/v1/tasks/" + taskId).then().body("cancel_requested", equalTo(true));
    }

    /** A 2-node task whose last node to finish was node 1: the log-streamer names that node, the task is done. */
    @Test
    void workloadExitNamingAnotherNodeThanTheFirstAlsoCancelsTheBid() {
        String taskId = submit(("{\"name\": \"%s\", \"instance_type\": \"a100\", \"num_instances\": 2, "
                + "\"command\": \"sleep 60\"}").formatted(uniqueName("exit-n1"))).then().statusCode(201)
                .extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        kafka.produce(Serdes.String(), Serdes.ByteArray())
                .fromRecords(record(Topics.TASK_LIFECYCLE, new WorkloadExited(taskId, 1, 0, Instant.now())))
                .awaitCompletion();
        awaitBidTerminated(bidFid);
        asAlice().get("/v1/tasks/" + taskId).then().body("cancel_requested", equalTo(true));
    }

    @Test
    void readModelFollowsStatusEvents() {
        String taskId = submit(("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", "
                + "\"ports\": [8888]}").formatted(uniqueName("status"))).then().statusCode(201).extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        TaskStatusChanged running = new TaskStatusChanged(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING,
                TransitionReason.ALLOCATED, started, started,
                List.of(new InstanceInfo("inst_node1", 1, "STATUS_RUNNING", "10.0.0.6", 22),
                        new InstanceInfo("inst_node0", 0, "STATUS_RUNNING", "10.0.0.5", 2222)),
                Money.parse("$3.00"), 2, bidFid, "us-central1-a", "a100", 0, "running");
        kafka.produce(Serdes.String(), Serdes.ByteArray())
                .fromRecords(record(Topics.TASK_STATUS, running), record(Topics.TASK_STATUS, running))
                .awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then()
                .body("status", equalTo("running"))
                .body("reason", equalTo("ALLOCATED"))
                .body("is_running", equalTo(true))
                .body("started_at", equalTo(started.toString()))
                .body("ssh_host", equalTo("10.0.0.5"))
                .body("ssh_port", equalTo(2222))
                .body("ssh_command", equalTo("ssh -p 2222 ubuntu@10.0.0.5"))
                .body("instances", equalTo(List.of("inst_node0", "inst_node1")))
                .body("endpoints.port-8888", equalTo("http://10.0.0.5:8888"))
                .body("cost_per_hour", equalTo("$6.00"))); // two nodes running at $3.00

        Instant ended = started.plusSeconds(3600);
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_STATUS,
                new TaskStatusChanged(taskId, PROJECT, TaskStatus.RUNNING, TaskStatus.COMPLETED,
                        TransitionReason.workloadExit(0), ended, ended, List.of(), Money.parse("$3.00"), 1, bidFid,
                        null, "a100", 0, null))).awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/tasks/" + taskId).then()
                .body("status", equalTo("completed"))
                .body("reason", equalTo("WORKLOAD_EXIT(0)"))
                .body("completed_at", equalTo(ended.toString()))
                .body("is_terminal", equalTo(true))
                .body("total_cost", equalTo("$3.00"))
                .body("cost_per_hour", equalTo("$0.00")) // ended: nothing is paid any more
                .body("instances", equalTo(List.of("inst_node0", "inst_node1"))));
        asAlice().get("/v1/tasks?status=completed&limit=500").then().body("data.task_id", hasItem(taskId));

        // a late (older) event and a duplicate change nothing: wait until the service has consumed past them
        org.apache.kafka.clients.producer.RecordMetadata last = kafka.produce(Serdes.String(), Serdes.ByteArray())
                .fromRecords(record(Topics.TASK_STATUS, running)).awaitCompletion().getLastRecord();
        org.apache.kafka.common.TopicPartition partition =
                new org.apache.kafka.common.TopicPartition(last.topic(), last.partition());
        await().atMost(WAIT).until(() -> {
            var committed = kafka.consumerGroups().offsets("flow-submitter-service", partition);
            return committed != null && committed.offset() > last.offset();
        });
        asAlice().get("/v1/tasks/" + taskId).then()
                .body("status", equalTo("completed"))
                .body("completed_at", equalTo(ended.toString()))
                .body("started_at", equalTo(started.toString()));
    }

    private void awaitBidTerminated(String bidFid) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(mithril().getBid(bidFid).await().atMost(WAIT).status())
                .isEqualTo(BidStatus.TERMINATED));
    }

    /** Waits for exactly {@code count} lifecycle events of the task written by the submitter (not by tests). */
    private List<ConsumerRecord<String, byte[]>> eventsOf(String taskId, int count) {
        await().atMost(WAIT).until(() -> ours(taskId).size() >= count);
        List<ConsumerRecord<String, byte[]>> events = ours(taskId);
        assertThat(events).hasSize(count);
        return events;
    }

    private List<ConsumerRecord<String, byte[]>> ours(String taskId) {
        return lifecycle.getRecords().stream().filter(r -> taskId.equals(r.key()))
                .filter(r -> "/flow/submitter-service".equals(CloudEventRecords.headersOf(r).get("ce_source"))).toList();
    }

    private static FlowEvent decode(ConsumerRecord<String, byte[]> r) {
        return EventCodec.decode(CloudEventRecords.headersOf(r), r.value()).orElseThrow();
    }
}
