package dev.flow.emulator;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class AdminControlsTest extends EmulatorTestBase {

    private static final String REGION = "us-central1-b";

    @Test
    void fastClockRunsMinutesOfBootInMoments() {
        // a 2-minute auction interval and 60 s per boot step would take minutes at real speed
        admin().body(Map.of("auction_interval_ms", 120_000, "instance_step_delay_ms", 60_000, "clock_speed", 2_000))
                .put("/_emulator/settings").then().statusCode(200)
                .body("auction_interval_millis", equalTo(120_000))
                .body("clock_speed", equalTo(2000.0f));
        String key = newSshKey("fast").fid();
        String bid = createBid(bidBody("fast", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 1,
                List.of(key), List.of(), null));
        String inst = (String) awaitInstances(bid, 1, "STATUS_RUNNING").getFirst().get("fid");
        List<String> times = api().queryParam("project", project).queryParam("instance_fid", inst)
                .get("/v2/instances/status/history").then().statusCode(200).extract().jsonPath()
                .getList("instances[0].events.timestamp");
        // emulated timestamps are a step (60 s) apart
        assertThat(java.time.Duration.between(java.time.Instant.parse(times.get(0)), java.time.Instant.parse(times.get(4))))
                .isEqualTo(Duration.ofMinutes(4));
        admin().post("/_emulator/reset").then().statusCode(204);
        admin().get("/_emulator/settings").then().body("clock_speed", equalTo(1.0f))
                .body("auction_interval_millis", equalTo(100));
    }

    @Test
    void adminPreemptionAndFailureReachTheApi() {
        String key = newSshKey("adm").fid();
        String type = typeFid("a100-80gb.sxm.4x", REGION);
        String bid = createBid(bidBody("victim", type, REGION, "$9.00", 1, List.of(key), List.of(), null));
        String inst = (String) awaitInstances(bid, 1, "STATUS_RUNNING").getFirst().get("fid");

        admin().post("/_emulator/instances/" + inst + "/preempt").then().statusCode(204);
        api().get("/v2/spot/bids/" + bid + "/status").then().body("status", equalTo("Preempting"));
        passPreemptionNotice();
        awaitBidStatus(bid, "Allocated");
        api().get("/v2/instances/" + inst + "/status").then().body("status", equalTo("STATUS_PREEMPTED"));
        String replacement = (String) await().atMost(Duration.ofSeconds(20)).until(() -> instancesOf(bid),
                l -> l.stream().anyMatch(i -> "STATUS_RUNNING".equals(i.get("status")))).stream()
                .filter(i -> "STATUS_RUNNING".equals(i.get("status"))).findFirst().orElseThrow().get("fid");

        admin().post("/_emulator/instances/" + replacement + "/fail").then().statusCode(204);
        api().get("/v2/instances/" + replacement + "/status").then().body("status", equalTo("STATUS_ERROR"));
        admin().post("/_emulator/instances/inst_missing/fail").then().statusCode(404);
    }

    @Test
    void workloadOutputIsCappedPerInstance() {
        String key = newSshKey("cap").fid();
        // ~3 MB of output against the 1 MiB test cap
        String bid = createBid(bidBody("chatty", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 1,
                List.of(key), List.of(), script("head -c 3000000 /dev/zero | tr '\\0' x | fold -w 999", 1, Map.of())));
        String inst = (String) awaitInstances(bid, 1, "STATUS_RUNNING").getFirst().get("fid");
        Map<String, Object> info = await().atMost(Duration.ofSeconds(20)).until(
                () -> admin().get("/_emulator/instances/" + inst).then().statusCode(200).extract().jsonPath().getMap("$"),
                m -> m.get("exit_code") != null);
        assertThat(info).containsEntry("exit_code", 0);
        java.nio.file.Path log = java.nio.file.Path.of((String) info.get("directory"), "container-main.log");
        assertThat(log.toFile().length()).isLessThan(1_200_000L);
    }
}
