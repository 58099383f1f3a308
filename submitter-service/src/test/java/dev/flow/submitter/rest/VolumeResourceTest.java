package dev.flow.submitter.rest;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.mithril.client.model.Volume;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.SubmitterTestSupport;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.flow.submitter.SubmitterTestSupport.OTHER_PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.asBob;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static dev.flow.submitter.SubmitterTestSupport.volumeCreations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/** {@code /v1/volumes} against the emulator: create, list, delete, attached and cross-project cases. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class VolumeResourceTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    private static List<Volume> atMithril(String project, String name) {
        return mithril().listVolumes(SubmitterTestSupport.projectFid(project), null, false).await().atMost(WAIT)
                .stream().filter(v -> v.name().equals(name)).toList();
    }

    private static Response create(String json) {
        return asAlice().contentType("application/json").body(json).post("/v1/volumes");
    }

    @Test
    void createListAndDeleteByNameOrId() {
        String name = uniqueName("data");
        String region = mithril().spotAvailability().await().atMost(WAIT).getFirst().region();
        Response created = create("""
                {"size_gb": 50, "name": "%s", "interface": "block", "region": "%s"}""".formatted(name, region));
        created.then().statusCode(201)
                .header("Location", containsString("/v1/volumes/vol_"))
                .body("name", equalTo(name)).body("size_gb", equalTo(50)).body("interface", equalTo("block"))
                .body("region", equalTo(region)).body("project", equalTo(PROJECT))
                .body("attached", equalTo(false));
        String id = created.path("volume_id");
        Volume atMithril = atMithril(PROJECT, name).getFirst();
        assertThat(atMithril.fid()).isEqualTo(id);
        assertThat(atMithril.capacityGb()).isEqualTo(50);
        assertThat(atMithril.region()).isEqualTo(region);
        assertThat(atMithril.diskInterface()).isEqualTo(DiskInterface.BLOCK);

        // a retried create returns the volume; another size under the name is refused
        create("""
                {"size_gb": 50, "name": "%s", "region": "%s"}""".formatted(name, region))
                .then().statusCode(200).body("volume_id", equalTo(id));
        create("""
                {"size_gb": 60, "name": "%s", "region": "%s"}""".formatted(name, region))
                .then().statusCode(422).body("errors[0].field", equalTo("name"))
                .body("errors[0].reason", containsString(id));
        assertThat(atMithril(PROJECT, name)).hasSize(1);
        asAlice().get("/v1/volumes").then().statusCode(200).body("volume_id", hasItem(id));

        asAlice().delete("/v1/volumes/" + name).then().statusCode(204);
        assertThat(atMithril(PROJECT, name)).isEmpty();
        asAlice().get("/v1/volumes").then().statusCode(200).body("volume_id", not(hasItem(id)));
        asAlice().delete("/v1/volumes/" + id).then().statusCode(404).contentType("application/problem+json");

        // by id, without a name or region: a generated name, the default region
        Response unnamed = create("{\"size_gb\": 5}");
        unnamed.then().statusCode(201).body("name", containsString("volume-")).body("interface", equalTo("block"))
                .body("region", org.hamcrest.Matchers.in(regions()));
        asAlice().delete("/v1/volumes/" + unnamed.path("volume_id")).then().statusCode(204);
    }

    /** The catalog's regions: a volume naming none goes to the cheapest offer's (no default region is set). */
    private static List<String> regions() {
        return mithril().spotAvailability().await().atMost(WAIT).stream().map(a -> a.region()).distinct().toList();
    }

    @Test
    void invalidVolumesAre422AndCreateNothing() {
        long before = volumeCreations(emulator);
        invalid("{\"size_gb\": 10, \"name\": \"Bad_Name\"}", "name");
        invalid("{\"size_gb\": 10, \"name\": \"ends-with-\"}", "name");
        invalid("{\"size_gb\": 0, \"name\": \"zero\"}", "size_gb");
        invalid("{\"name\": \"no-size\"}", "size_gb");
        invalid("{\"size_gb\": \"10\", \"name\": \"text-size\"}", "size_gb");
        invalid("{\"size_gb\": 10, \"name\": \"nfs\", \"interface\": \"nfs\"}", "interface");
        invalid("{\"size_gb\": 10, \"name\": \"blank-region\", \"region\": \" \"}", "region");
        invalid("", "");
        asAlice().contentType("application/json").body("{\"sizegb\": 10, \"name\": \"typo\"}").post("/v1/volumes")
                .then().statusCode(422).body("errors[0].field", equalTo("sizegb"))
                .body("errors[0].suggestion", equalTo("size_gb"));
        asAlice().get("/v1/volumes?limit=0").then().statusCode(422).body("errors[0].field", equalTo("limit"));
        assertThat(volumeCreations(emulator)).isEqualTo(before);
    }

    private static void invalid(String json, String field) {
        asAlice().contentType("application/json").body(json).post("/v1/volumes").then().statusCode(422)
                .contentType("application/problem+json").body("errors[0].field", equalTo(field));
    }

    @Test
    void anotherProjectsVolumeIsNotFound() {
        String name = uniqueName("theirs");
        String id = asBob().contentType("application/json").body("{\"size_gb\": 10, \"name\": \"%s\"}".formatted(name))
                .post("/v1/volumes").then().statusCode(201).body("project", equalTo(OTHER_PROJECT))
                .extract().path("volume_id");
        asAlice().get("/v1/volumes").then().statusCode(200).body("volume_id", not(hasItem(id)));
        asAlice().delete("/v1/volumes/" + id).then().statusCode(404).contentType("application/problem+json");
        asAlice().delete("/v1/volumes/" + name).then().statusCode(404);
        asAlice().queryParam("project", OTHER_PROJECT).delete("/v1/volumes/" + id).then().statusCode(422)
                .body("errors[0].field", equalTo("project"));
        assertThat(atMithril(OTHER_PROJECT, name)).hasSize(1);
        asBob().get("/v1/volumes").then().statusCode(200).body("volume_id", hasItem(id));
        asBob().delete("/v1/volumes/" + id).then().statusCode(204);
        assertThat(atMithril(OTHER_PROJECT, name)).isEmpty();
    }

    @Test
    void aVolumeATaskUsesCannotBeDeletedUntilTheTaskEnds() {
        String volume = uniqueName("busy");
        String taskId = submit("""
                {"name": "%s", "instance_type": "a100", "command": "sleep 600", "volumes": [{"name": "%s", "size_gb": 10}]}"""
                .formatted(uniqueName("uses"), volume)).then().statusCode(201).extract().path("task_id");
        Bid bid = bidOf(taskId).orElseThrow();
        asAlice().get("/v1/volumes").then().statusCode(200)
                .body("find { it.name == '%s' }.attached_tasks".formatted(volume), equalTo(List.of(taskId)))
                .body("find { it.name == '%s' }.attached_bids".formatted(volume), equalTo(List.of(bid.fid())));
        asAlice().delete("/v1/volumes/" + volume).then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("attached to task " + taskId))
                .body("suggestions[0]", containsString(taskId));
        assertThat(atMithril(PROJECT, volume)).hasSize(1);

        asAlice().delete("/v1/tasks/" + taskId).then().statusCode(202);
        await().atMost(WAIT).until(() -> mithril().getBid(bid.fid()).await().atMost(WAIT).status()
                == BidStatus.TERMINATED);
        asAlice().delete("/v1/volumes/" + volume).then().statusCode(204);
        assertThat(atMithril(PROJECT, volume)).isEmpty();
    }
}
