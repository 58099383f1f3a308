package dev.flow.emulator;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class BidLifecycleTest extends EmulatorTestBase {

    private static final String REGION = "us-central1-a";

    @Test
    void bidIsPlacedAllocatedRunsAndTerminatesWithHistory() {
        String type = typeFid("a100-80gb.sxm.1x", REGION);
        String key = newSshKey("k1").fid();
        String bid = createBid(bidBody("lifecycle", type, REGION, "$2.50", 1, List.of(key), List.of(), null));
        assertThat(bid).matches("bid_[0-9A-Za-z]{16}");
        api().get("/v2/spot/bids/" + bid).then().statusCode(200)
                .body("limit_price", equalTo("$2.50"))
                .body("instance_type", equalTo(type))
                .body("launch_specification.ssh_keys", equalTo(List.of(key)));

        awaitBidStatus(bid, "Allocated");
        List<Map<String, Object>> running = awaitInstances(bid, 1, "STATUS_RUNNING");
        Map<String, Object> instance = running.getFirst();
        assertThat((String) instance.get("fid")).matches("inst_[0-9A-Za-z]{16}");
        assertThat(instance).containsEntry("name", "lifecycle-0").containsEntry("bid", bid)
                .containsEntry("region", REGION);
        assertThat((String) instance.get("ssh_destination")).matches("127\\.0\\.0\\.1:\\d+");
        String inst = (String) instance.get("fid");
        api().get("/v2/instances/" + inst + "/status").then().statusCode(200).body("status", equalTo("STATUS_RUNNING"));
        // start/stop of instances is for reservations; spot instances answer 501 as upstream
        api().body(Map.of("instances", List.of(inst), "status", "STATUS_PAUSED")).patch("/v2/instances").then()
                .statusCode(501);

        // billed time accrues while RUNNING: advance the emulated clock by an hour
        admin().body(Map.of("seconds", 3600)).post("/_emulator/clock/advance").then().statusCode(200);

        api().delete("/v2/spot/bids/" + bid).then().statusCode(204);
        api().get("/v2/spot/bids/" + bid).then().statusCode(200).body("status", equalTo("Terminated"))
                .body("deactivated_at", org.hamcrest.Matchers.notNullValue());
        api().get("/v2/instances/" + inst + "/status").then().body("status", equalTo("STATUS_TERMINATED"));

        List<String> events = api().get("/v2/spot/bids/" + bid + "/history").then().statusCode(200).extract()
                .jsonPath().getList("events.event_type");
        assertThat(events).containsExactly("Placed", "Allocated", "Terminated");

        List<String> statuses = api().queryParam("project", project).queryParam("instance_fid", inst)
                .get("/v2/instances/status/history").then().statusCode(200).extract().jsonPath()
                .getList("instances[0].events.status");
        assertThat(statuses).containsExactly("STATUS_NEW", "STATUS_CONFIRMED", "STATUS_INITIALIZING",
                "STATUS_STARTING", "STATUS_RUNNING", "STATUS_TERMINATED");

        List<Map<String, Object>> pricing = api().queryParam("project", project).queryParam("bid_fid", bid)
                .get("/v2/instances/pricing/history").then().statusCode(200).extract().jsonPath()
                .getList("instances[0].events");
        assertThat(pricing).hasSize(1);
        assertThat(pricing.getFirst()).containsEntry("price_cents", 90);
        assertThat(pricing.getFirst().get("end_time")).isNotNull();
    }

    @Test
    void twoInstanceBidIsAllocatedAllOrNothing() {
        String type = typeFid("h100-80gb.sxm.8x", REGION);
        String key = newSshKey("k2").fid();
        String bid = createBid(bidBody("pair", type, REGION, "$20.00", 2, List.of(key), List.of(), null));
        List<Map<String, Object>> instances = awaitInstances(bid, 2, "STATUS_RUNNING");
        assertThat(instances).extracting(i -> i.get("name")).containsExactlyInAnyOrder("pair-0", "pair-1");
        api().get("/v2/spot/bids/" + bid).then().body("instances.size()", equalTo(2))
                .body("status", equalTo("Allocated"));

        // capacity is 8 per region in tests: a 7-instance bid does not fit beside the 2 and stays Open
        String big = createBid(bidBody("big", type, REGION, "$19.00", 7, List.of(key), List.of(), null));
        admin().post("/_emulator/auction").then().statusCode(204);
        admin().post("/_emulator/auction").then().statusCode(204);
        api().get("/v2/spot/bids/" + big).then().body("status", equalTo("Open")).body("instances.size()", equalTo(0));
        assertThat(instancesOf(big)).isEmpty();
        // a losing bid still raises the spot price (second price)
        List<Map<String, Object>> auctions = api().get("/v2/spot/availability").then().extract().jsonPath().getList("$");
        assertThat(auctions).filteredOn(a -> a.get("instance_type").equals(type))
                .extracting(a -> a.get("last_instance_price")).containsExactly("$19.00");
        api().queryParam("status", "Open").queryParam("project", project).get("/v2/spot/bids").then()
                .body("data.fid", equalTo(List.of(big)));
    }

    @Test
    void priceAboveLimitPreemptsAndTheBidIsReallocatedWithNewInstances() {
        String type = typeFid("a100-80gb.sxm.2x", REGION);
        String key = newSshKey("k3").fid();
        String bid = createBid(bidBody("spot", type, REGION, "$3.00", 1, List.of(key), List.of(), null));
        String first = (String) awaitInstances(bid, 1, "STATUS_RUNNING").getFirst().get("fid");

        admin().body(Map.of("instance_type", type, "region", REGION, "price", "$5.00")).put("/_emulator/spot-price")
                .then().statusCode(200).body("last_instance_price", equalTo("$5.00"));
        awaitBidStatus(bid, "Preempting");
        api().get("/v2/instances/" + first + "/status").then().body("status", equalTo("STATUS_PREEMPTING"))
                .body("end_time", org.hamcrest.Matchers.notNullValue());
        passPreemptionNotice();
        awaitBidStatus(bid, "Open");
        api().get("/v2/instances/" + first + "/status").then().body("status", equalTo("STATUS_PREEMPTED"));
        api().get("/v2/spot/bids/" + bid).then().body("instances.size()", equalTo(0));

        // the price drops back: the bid wins again and gets a new instance
        admin().body(Map.of("instance_type", type, "region", REGION, "price", "$1.50")).put("/_emulator/spot-price")
                .then().statusCode(200);
        awaitBidStatus(bid, "Allocated");
        String second = await().atMost(Duration.ofSeconds(20)).until(
                () -> api().queryParam("project", project).queryParam("bid_fid_in", bid)
                        .queryParam("status_in", "STATUS_RUNNING").get("/v2/instances").then().statusCode(200)
                        .extract().jsonPath().<String>getList("data.fid"),
                l -> l.size() == 1).getFirst();
        assertThat(second).isNotEqualTo(first);

        List<String> events = api().get("/v2/spot/bids/" + bid + "/history").then().extract().jsonPath()
                .getList("events.event_type");
        assertThat(events).containsExactly("Placed", "Allocated", "Preempted", "Allocated");
        // the preempted instance was billed at the old price only while it ran
        List<Integer> prices = api().queryParam("project", project).queryParam("instance_fid", first)
                .get("/v2/instances/pricing/history").then().statusCode(200).extract().jsonPath()
                .getList("instances[0].events.price_cents");
        assertThat(prices).isNotEmpty().allMatch(p -> p <= 300);
    }

    @Test
    void pauseStopsInstancesAndResumeBringsThemBack() {
        String type = typeFid("a100-80gb.sxm.1x", "us-central1-b");
        String key = newSshKey("k4").fid();
        String bid = createBid(bidBody("pausable", type, "us-central1-b", "$2.00", 1, List.of(key), List.of(), null));
        String inst = (String) awaitInstances(bid, 1, "STATUS_RUNNING").getFirst().get("fid");

        api().body(Map.of("paused", true)).patch("/v2/spot/bids/" + bid).then().statusCode(200)
                .body("status", equalTo("Paused"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "STATUS_PAUSED".equals(
                api().get("/v2/instances/" + inst + "/status").then().extract().path("status")));
        assertThat(instancesOf(bid).getFirst().get("ssh_destination")).isNull();

        api().body(Map.of("paused", false, "limit_price", "$2.25")).patch("/v2/spot/bids/" + bid).then()
                .statusCode(200).body("limit_price", equalTo("$2.25"));
        awaitBidStatus(bid, "Allocated");
        List<Map<String, Object>> again = awaitInstances(bid, 1, "STATUS_RUNNING");
        assertThat(again.getFirst().get("fid")).isEqualTo(inst);

        List<Map<String, Object>> events = api().get("/v2/spot/bids/" + bid + "/history").then().extract().jsonPath()
                .getList("events");
        assertThat(events).extracting(e -> e.get("event_type"))
                .containsExactly("Placed", "Allocated", "Paused", "Limit Price Changed", "Resumed", "Allocated");
        assertThat(events.get(3)).containsEntry("limit_price", "$2.25");
    }

    @Test
    void moreThanAHundredBidsArePagedWithCursors() {
        String type = typeFid("b200-192gb.sxm.8x", "eu-central1-a");
        String key = newSshKey("k5").fid();
        // priced below the market: they stay Open and never start instances
        for (int i = 0; i < 105; i++) {
            createBid(bidBody("many-" + i, type, "eu-central1-a", "$0.10", 1, List.of(key), List.of(), null));
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = api().queryParam("project", project).queryParam("limit", 40).queryParam("sort_by", "created_at")
                    .queryParam("sort_dir", "desc");
            if (cursor != null) {
                request = request.queryParam("next_cursor", cursor);
            }
            var json = request.get("/v2/spot/bids").then().statusCode(200).extract().jsonPath();
            seen.addAll(json.getList("data.fid"));
            cursor = json.getString("next_cursor");
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(105);
        api().queryParam("project", project).queryParam("name", "many-7").get("/v2/spot/bids").then()
                .body("data.size()", equalTo(1)).body("next_cursor", nullValue());
        api().queryParam("next_cursor", "garbage!").get("/v2/spot/bids").then().statusCode(422);
    }

    @Test
    void instancesAreFilteredSortedAndPaged() {
        String key = newSshKey("k6").fid();
        String a = createBid(bidBody("alpha", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 3, List.of(key),
                List.of(), null));
        String b = createBid(bidBody("beta", typeFid("a100-80gb.sxm.2x", REGION), REGION, "$3.00", 2, List.of(key),
                List.of(), null));
        awaitInstances(a, 3, "STATUS_RUNNING");
        awaitInstances(b, 2, "STATUS_RUNNING");
        api().delete("/v2/spot/bids/" + b).then().statusCode(204);

        var first = api().queryParam("project", project).queryParam("limit", 2).queryParam("sort_by", "created_at")
                .get("/v2/instances").then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("data")).hasSize(2);
        String cursor = first.getString("next_cursor");
        var rest = api().queryParam("project", project).queryParam("limit", 100).queryParam("sort_by", "created_at")
                .queryParam("next_cursor", cursor).get("/v2/instances").then().statusCode(200).extract().jsonPath();
        assertThat(rest.getList("data")).hasSize(3);
        assertThat(rest.getString("next_cursor")).isNull();

        api().queryParam("project", project).queryParam("status_in", "STATUS_TERMINATED,STATUS_PREEMPTED")
                .get("/v2/instances").then().statusCode(200).body("data.bid", equalTo(List.of(b, b)));
        api().queryParam("project", project).queryParam("instance_type", typeFid("a100-80gb.sxm.1x", REGION))
                .queryParam("sort_by", "instance_status").queryParam("sort_dir", "desc")
                .get("/v2/instances").then().statusCode(200).body("data.size()", equalTo(3));
        api().queryParam("project", project).queryParam("order_type_in", "Reservation").get("/v2/instances")
                .then().statusCode(200).body("data.size()", equalTo(0));
        api().queryParam("project", project).queryParam("status_in", "STATUS_BOGUS").get("/v2/instances")
                .then().statusCode(422).body("detail[0].loc", equalTo(List.of("query", "status_in", 0)));
        api().get("/v2/instances").then().statusCode(422).body("detail[0].type", equalTo("missing"));
    }
}
