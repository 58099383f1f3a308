package dev.flow.emulator;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class VolumesKeysAndFaultsTest extends EmulatorTestBase {

    private static final String REGION = "us-central1-a";

    private String createVolume(String name, String region) {
        return api().body(Map.of("name", name, "project", project, "disk_interface", "Block", "region", region,
                "size_gb", 100)).post("/v2/volumes").then().statusCode(201)
                .body("interface", equalTo("Block")).body("capacity_gb", equalTo(100))
                .body("deleted_at", nullValue()).extract().path("fid");
    }

    @Test
    void volumeAttachedThroughABidCannotBeDeletedUntilTheBidEnds() {
        String vol = createVolume("data-1", REGION);
        assertThat(vol).matches("vol_[0-9A-Za-z]{16}");
        String key = newSshKey("vk").fid();
        String bid = createBid(bidBody("with-volume", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 1,
                List.of(key), List.of(vol), null));
        String inst = (String) awaitInstances(bid, 1, "STATUS_RUNNING").getFirst().get("fid");

        api().queryParam("project", project).get("/v2/volumes").then().statusCode(200)
                .body("find { it.fid == '" + vol + "' }.bids", equalTo(List.of(bid)))
                .body("find { it.fid == '" + vol + "' }.attachments." + inst, startsWith("/dev/vd"));
        api().delete("/v2/volumes/" + vol).then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("attached"));
        // a block volume serves one bid only
        api().body(bidBody("second", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 1, List.of(key),
                List.of(vol), null)).post("/v2/spot/bids").then().statusCode(422)
                .body("detail[0].loc", equalTo(List.of("body", "launch_specification", "volumes", 0)));
        // volumes from another region are refused
        String far = createVolume("far", "eu-central1-a");
        api().body(bidBody("third", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 1, List.of(key),
                List.of(far), null)).post("/v2/spot/bids").then().statusCode(422);

        api().delete("/v2/spot/bids/" + bid).then().statusCode(204);
        api().body(Map.of("name", "renamed")).patch("/v2/volumes/" + vol).then().statusCode(200)
                .body("name", equalTo("renamed"));
        api().delete("/v2/volumes/" + vol).then().statusCode(204);
        api().queryParam("project", project).get("/v2/volumes").then().body("fid", not(hasItem(vol)));
        api().queryParam("project", project).queryParam("include_deleted", true).get("/v2/volumes").then()
                .body("find { it.fid == '" + vol + "' }.deleted_at", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void volumesAreAttachedToPausedBidsByPatch() {
        String vol = createVolume("late", REGION);
        String key = newSshKey("pk").fid();
        String bid = createBid(bidBody("late-volume", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 1,
                List.of(key), List.of(), null));
        awaitBidStatus(bid, "Allocated");
        api().body(Map.of("volumes", List.of(vol))).patch("/v2/spot/bids/" + bid).then().statusCode(422)
                .body("detail[0].loc", equalTo(List.of("body", "volumes")))
                .body("detail[0].msg", equalTo("Volumes can only be changed while the bid is paused"));
        api().body(Map.of("paused", true)).patch("/v2/spot/bids/" + bid).then().statusCode(200);
        api().body(Map.of("volumes", List.of(vol))).patch("/v2/spot/bids/" + bid).then().statusCode(200)
                .body("launch_specification.volumes", equalTo(List.of(vol)));
        api().get("/v2/spot/bids/" + bid + "/history").then()
                .body("events.find { it.event_type == 'Volumes Attached' }.persistent_disk_change.attached", equalTo(vol));
    }

    @Test
    void volumeRequestsAreValidated() {
        api().body(Map.of("name", "Bad_Name", "project", project, "disk_interface", "Tape", "region", REGION,
                "size_gb", 0)).post("/v2/volumes").then().statusCode(422)
                .body("detail.loc", hasItem(List.of("body", "name")))
                .body("detail.loc", hasItem(List.of("body", "disk_interface")))
                .body("detail.loc", hasItem(List.of("body", "size_gb")));
        api().get("/v2/volumes").then().statusCode(422).body("detail[0].loc", equalTo(List.of("query", "project")));
    }

    @Test
    void sshKeysAreGeneratedRegisteredUpdatedAndProtectedWhileInUse() throws Exception {
        KeyPairText generated = newSshKey("generated");
        assertThat(generated.fid()).matches("sshkey_[0-9A-Za-z]{16}");
        assertThat(generated.publicKey()).startsWith("ssh-rsa ");
        assertThat(generated.privateKey()).contains("BEGIN OPENSSH PRIVATE KEY");

        String own = PublicKeyEntry.toString(KeyUtils.generateKeyPair("ssh-rsa", 2048).getPublic());
        String ownFid = api().body(Map.of("project", project, "name", "mine", "public_key", own, "required", true))
                .post("/v2/ssh-keys").then().statusCode(201).body("private_key", nullValue())
                .body("required", equalTo(true)).extract().path("fid");
        api().body(Map.of("project", project, "name", "junk", "public_key", "not a key")).post("/v2/ssh-keys")
                .then().statusCode(422).body("detail[0].loc", equalTo(List.of("body", "public_key")));

        List<String> listed = api().queryParam("project", project).get("/v2/ssh-keys").then().statusCode(200)
                .extract().jsonPath().getList("fid");
        assertThat(listed).containsExactly(generated.fid(), ownFid);
        api().queryParam("project", project).get("/v2/ssh-keys").then()
                .body("private_key", org.hamcrest.Matchers.everyItem(nullValue()));

        api().body(Map.of("required", false)).patch("/v2/ssh-keys/" + ownFid).then().statusCode(200)
                .body("required", equalTo(false));
        String bid = createBid(bidBody("keyed", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$0.01", 1,
                List.of(ownFid), List.of(), null));
        api().delete("/v2/ssh-keys/" + ownFid).then().statusCode(400);
        api().delete("/v2/spot/bids/" + bid).then().statusCode(204);
        api().delete("/v2/ssh-keys/" + ownFid).then().statusCode(204);
        api().delete("/v2/ssh-keys/" + ownFid).then().statusCode(404);
    }

    @Test
    void injectedFaultsAnswer429WithRetryAfterAnd503ThenStop() {
        admin().body(Map.of("path_pattern", "/v2/spot/bids/*", "method", "GET", "status", 429,
                "retry_after_seconds", 2, "count", 2)).post("/_emulator/faults").then().statusCode(201);
        admin().body(Map.of("path_pattern", "/v2/instances**", "status", 503, "count", 1))
                .post("/_emulator/faults").then().statusCode(201);
        String bid = createBid(bidBody("faulty", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$0.01", 1,
                List.of(), List.of(), null));

        api().get("/v2/spot/bids/" + bid).then().statusCode(429).header("Retry-After", "2")
                .body("detail", equalTo("Too Many Requests"));
        api().get("/v2/spot/bids/" + bid).then().statusCode(429);
        api().get("/v2/spot/bids/" + bid).then().statusCode(200);
        api().queryParam("project", project).get("/v2/instances").then().statusCode(503)
                .body("detail", equalTo("Service Unavailable"));
        api().queryParam("project", project).get("/v2/instances").then().statusCode(200);

        Map<String, Integer> counts = admin().get("/_emulator/requests").then().statusCode(200).extract().jsonPath()
                .getMap("$");
        assertThat(counts).containsEntry("GET /v2/spot/bids/{bid_fid}", 3).containsEntry("GET /v2/instances", 2)
                .containsEntry("POST /v2/spot/bids", 1);
        admin().get("/_emulator/faults").then().body("fired", equalTo(List.of(2, 1)));
    }

    @Test
    void anIgnoredCancelAnswers204AndTheBidKeepsRunningUntilTheNextCancel() {
        admin().body(Map.of("path_pattern", "/v2/spot/bids/*", "method", "DELETE", "ignore", true, "count", 1))
                .post("/_emulator/faults").then().statusCode(201).body("ignore", equalTo(true));
        String bid = createBid(bidBody("sticky", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$50.00", 1,
                List.of(), List.of(), null));
        awaitBidStatus(bid, "Allocated");

        // answered exactly as a cancel (204, no body), but the bid and its instance go on
        api().delete("/v2/spot/bids/" + bid).then().statusCode(204).body(org.hamcrest.Matchers.emptyString());
        api().get("/v2/spot/bids/" + bid).then().statusCode(200).body("status", equalTo("Allocated"));
        // an unknown bid is still a 404 (the rule has fired once already, so this one is not ignored either way)
        api().delete("/v2/spot/bids/bid_doesnotexist0000").then().statusCode(404);
        admin().get("/_emulator/faults").then().body("fired", equalTo(List.of(1)));

        // the next cancel takes
        api().delete("/v2/spot/bids/" + bid).then().statusCode(204);
        api().get("/v2/spot/bids/" + bid).then().statusCode(200).body("status", equalTo("Terminated"));
    }

    @Test
    void anIgnoreRuleTakesNoStatusOrLatency() {
        admin().body(Map.of("path_pattern", "/v2/spot/bids/*", "ignore", true, "status", 503))
                .post("/_emulator/faults").then().statusCode(422).body("detail[0].loc", equalTo(List.of("body",
                        "ignore")));
    }

    @Test
    void injectedLatencyDelaysWithoutFailing() {
        admin().body(Map.of("path_pattern", "/v2/me", "latency_ms", 300)).post("/_emulator/faults")
                .then().statusCode(201);
        api().get("/v2/me").then().statusCode(200).body("fid", startsWith("user_"));
        admin().get("/_emulator/faults").then().body("fired", equalTo(List.of(1)))
                .body("latency_ms", equalTo(List.of(300)));
    }
}
