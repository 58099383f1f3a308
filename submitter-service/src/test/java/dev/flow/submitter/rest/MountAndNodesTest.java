package dev.flow.submitter.rest;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.model.json.FlowJson;
import dev.flow.submitter.PlatformKeyTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** The seed's {@code mount_volume} on a live bid, and a 2-node task's environment seen from inside its nodes. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class MountAndNodesTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    private static Bid bid(String fid) {
        return mithril().getBid(fid).await().atMost(WAIT);
    }

    @Test
    void mountVolumePausesPatchesAndResumesTheBidAndRecordsTheMount() throws Exception {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\", "
                .formatted(uniqueName("mount")) + "\"max_price_per_hour\": 0.01}").then().statusCode(201)
                .extract().path("task_id");
        String region = asAlice().get("/v1/tasks/" + taskId).then().extract().path("region");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        String volumeName = uniqueName("data");
        String volumeId = asAlice().contentType("application/json")
                .body("{\"size_gb\": 10, \"name\": \"%s\", \"region\": \"%s\"}".formatted(volumeName, region))
                .post("/v1/volumes").then().statusCode(201).extract().path("volume_id");

        asAlice().contentType("application/json")
                .body("{\"volume\": \"%s\", \"mount_path\": \"/data\"}".formatted(volumeName))
                .post("/v1/tasks/" + taskId + "/volumes").then().statusCode(200)
                .body("volume_id", equalTo(volumeId)).body("mount_path", equalTo("/data"))
                .body("block_index", equalTo(0)).body("restarted", equalTo(true))
                .body("task.config.volumes.name", hasItem(volumeName))
                .body("task.config.volumes.find { it.name == '%s' }.mount_path".formatted(volumeName),
                        equalTo("/data"));
        // at Mithril: attached while paused, then resumed
        Bid after = bid(bidFid);
        assertThat(after.launchSpecification().volumes()).containsExactly(volumeId);
        assertThat(after.status()).isNotEqualTo(BidStatus.PAUSED);
        List<String> history = mithril().bidHistory(bidFid).await().atMost(WAIT).events().stream()
                .map(e -> e.eventType().toString()).toList();
        assertThat(String.join(",", history).toLowerCase()).containsSubsequence("paused", "volumes", "resumed");
        asAlice().get("/v1/volumes").then().body("find { it.volume_id == '%s' }.attached_tasks".formatted(volumeId),
                equalTo(List.of(taskId)));

        // the seed's errors: already attached, another region, unknown, bad path
        asAlice().contentType("application/json").body("{\"volume\": \"%s\"}".formatted(volumeId))
                .post("/v1/tasks/" + taskId + "/volumes").then().statusCode(422)
                .body("title", equalTo("ValidationError")).body("errors[0].field", equalTo("volume"))
                .body("errors[0].reason", containsString("already attached"));
        String elsewhere = region.equals("us-central1-a") ? "eu-central1-a" : "us-central1-a";
        String far = uniqueName("far");
        asAlice().contentType("application/json")
                .body("{\"size_gb\": 10, \"name\": \"%s\", \"region\": \"%s\"}".formatted(far, elsewhere))
                .post("/v1/volumes").then().statusCode(201);
        asAlice().contentType("application/json").body("{\"volume\": \"%s\"}".formatted(far))
                .post("/v1/tasks/" + taskId + "/volumes").then().statusCode(422)
                .body("errors[0].field", equalTo("volume"))
                .body("errors[0].reason", containsString("region " + elsewhere))
                .body("errors[0].suggestion", containsString(region));
        asAlice().contentType("application/json").body("{\"volume\": \"%s\", \"mount_path\": \"data\"}".formatted(far))
                .post("/v1/tasks/" + taskId + "/volumes").then().statusCode(422)
                .body("errors[0].field", equalTo("mount_path"));
        asAlice().contentType("application/json").body("{}")
                .post("/v1/tasks/" + taskId + "/volumes").then().statusCode(422)
                .body("errors[0].field", equalTo("volume"));
        // another project's caller cannot mount to the task
        dev.flow.submitter.SubmitterTestSupport.asBob().contentType("application/json")
                .body("{\"volume\": \"%s\"}".formatted(far)).post("/v1/tasks/" + taskId + "/volumes").then()
                .statusCode(404);
        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202);
    }

    @Test
    void eachNodeOfATwoNodeTaskSeesItsRankTheNodeCountTheMainIpAndTheUserEnv() throws Exception {
        String marker = "FLOWENV";
        String taskId = submit(("{\"name\": \"%s\", \"instance_type\": \"a100\", \"num_instances\": 2, "
                + "\"env\": {\"USER_VALUE\": \"it's $HOME `x`\"}, \"command\": "
                + "\"echo %s rank=$FLOW_NODE_RANK nodes=$FLOW_NUM_NODES main=$FLOW_MAIN_IP user=\\\"$USER_VALUE\\\"; sleep 120\"}")
                .formatted(uniqueName("nodes"), marker)).then().statusCode(201).extract().path("task_id");
        String bidFid = bidOf(taskId).orElseThrow().fid();
        try {
            await().atMost(WAIT).until(() -> bid(bidFid).instances().size() == 2);
            Pattern line = Pattern.compile(marker + " rank=(\\d+) nodes=(\\d+) main=(\\S+) user=(.*)$");
            List<Matcher> seen = new ArrayList<>();
            await().atMost(WAIT).untilAsserted(() -> {
                seen.clear();
                for (String instance : bid(bidFid).instances()) {
                    // the emulator's admin API says where the node's container log is
                    Map<?, ?> info = FlowJson.mapper().readValue(emulator.admin("GET", "/_emulator/instances/"
                            + instance, null), Map.class);
                    assertThat(info.get("directory")).as("instance %s booted", instance).isNotNull();
                    Path log = Path.of((String) info.get("directory")).resolve("container-main.log");
                    assertThat(log).exists();
                    List<String> lines = Files.readAllLines(log);
                    Matcher m = lines.stream().map(line::matcher).filter(Matcher::find)
                            .findFirst().orElseThrow(() -> new AssertionError("no env line yet in " + log + ": " + lines));
                    seen.add(m);
                }
            });
            assertThat(seen).extracting(m -> m.group(1)).containsExactlyInAnyOrder("0", "1");
            assertThat(seen).extracting(m -> m.group(2)).containsOnly("2");
            assertThat(seen).extracting(m -> m.group(3)).doesNotContain("").hasSize(2)
                    .allMatch(ip -> ip.equals(seen.getFirst().group(3)));
            assertThat(seen).extracting(m -> m.group(4)).containsOnly("it's $HOME `x`");
        } finally {
            asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202);
        }
    }
}
