package dev.flow.emulator;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

@QuarkusTest
class CatalogAndAuthTest extends EmulatorTestBase {

    @Test
    void unknownOrMissingKeyIsRefused() {
        given().get("/v2/projects").then().statusCode(401).body("detail", equalTo("Invalid credentials"));
        given().header("Authorization", "Bearer fkey_wrong").get("/v2/spot/bids")
                .then().statusCode(401).body("detail", equalTo("Invalid credentials"));
        given().header("Authorization", "Basic abc").get("/v2/me").then().statusCode(401);
        given().post("/_emulator/reset").then().statusCode(401);
    }

    @Test
    void projectsAndProfileFollowTheKey() {
        List<String> names = api().get("/v2/projects").then().statusCode(200).extract().jsonPath().getList("name");
        assertThat(names).containsExactly("flow-dev", "flow-other");
        List<String> second = given().header("Authorization", "Bearer " + SECOND_KEY).get("/v2/projects")
                .then().statusCode(200).extract().jsonPath().getList("name");
        assertThat(second).containsExactly("tenant-b");
        String me = api().get("/v2/me").then().statusCode(200).extract().path("fid");
        assertThat(me).matches("user_[0-9A-Za-z]{16}");
        // another tenant's project is not visible
        given().header("Authorization", "Bearer " + SECOND_KEY).queryParam("project", project).get("/v2/ssh-keys")
                .then().statusCode(404);
    }

    @Test
    void catalogHasRealTypesWithOneFidPerRegion() {
        List<Map<String, Object>> types = api().get("/v2/instance-types").then().statusCode(200).extract().jsonPath()
                .getList("$");
        Map<String, Set<String>> fidsByName = types.stream().collect(Collectors.groupingBy(t -> (String) t.get("name"),
                Collectors.mapping(t -> (String) t.get("fid"), Collectors.toSet())));
        assertThat(fidsByName).containsKeys("a100-80gb.sxm.1x", "a100-80gb.sxm.8x", "h100-80gb.sxm.8x",
                "b200-192gb.sxm.8x", "ccs-h200.sxm.8x");
        assertThat(fidsByName.get("h100-80gb.sxm.8x")).hasSize(4).allMatch(f -> f.matches("it_[0-9A-Za-z]{16}"));
        Map<String, Object> h100 = types.stream().filter(t -> t.get("name").equals("h100-80gb.sxm.8x")).findFirst()
                .orElseThrow();
        assertThat(h100).containsEntry("num_gpus", 8).containsEntry("num_cpus", 168).containsEntry("ram_gb", 1814)
                .containsEntry("gpu_type", "H100");

        List<Map<String, Object>> auctions = api().get("/v2/spot/availability").then().statusCode(200).extract()
                .jsonPath().getList("$");
        assertThat(auctions).hasSize(types.size());
        assertThat(auctions).extracting(a -> a.get("region")).contains("us-central1-a", "us-central1-b", "eu-central1-a");
        assertThat(auctions).allSatisfy(a -> {
            assertThat((String) a.get("fid")).startsWith("auc_");
            assertThat((String) a.get("last_instance_price")).matches("\\$\\d+\\.\\d\\d");
        });
        String fid = typeFid("h100-80gb.sxm.8x", "us-central1-a");
        api().queryParam("instance_type", fid).queryParam("region", "us-central1-a").get("/v2/pricing/current")
                .then().statusCode(200).body("spot_price_cents", equalTo(1203)).body("total_capacity", equalTo(8));
    }

    @Test
    void quotasNeedAProject() {
        api().get("/v2/quotas").then().statusCode(422)
                .body("detail[0].loc", equalTo(List.of("query", "project")))
                .body("detail[0].type", equalTo("missing"));
        api().queryParam("project", project).get("/v2/quotas").then().statusCode(200)
                .body("find { it.product_type == 'Storage' }.units", equalTo("GB"));
    }

    @Test
    void aBidBeyondTheProjectsSpotQuotaIsRefusedWithA422Detail() {
        String fid = typeFid("a100-80gb.sxm.1x", "us-central1-a");
        admin().body(Map.of("project", "flow-dev", "instance_type", "a100-80gb.sxm.1x", "total_quantity", 3))
                .put("/_emulator/quotas").then().statusCode(200).body("total_quantity", equalTo(3));
        String key = newSshKey("quota").fid();
        createBid(bidBody("q-1", fid, "us-central1-a", "$1.00", 2, List.of(key), List.of(), null));
        api().queryParam("project", project).get("/v2/quotas").then().statusCode(200)
                .body("find { it.name == 'a100-80gb.sxm.1x spot instances' }.total_quantity", equalTo(3))
                .body("find { it.name == 'a100-80gb.sxm.1x spot instances' }.used_quantity", equalTo(2));
        // the quota is per type across regions: 2 + 2 > 3 in another region too
        String otherRegion = typeFid("a100-80gb.sxm.1x", "eu-central1-a");
        api().body(bidBody("q-2", otherRegion, "eu-central1-a", "$1.00", 2, List.of(key), List.of(), null))
                .post("/v2/spot/bids").then().statusCode(422)
                .body("detail[0].loc", equalTo(List.of("body", "instance_quantity")))
                .body("detail[0].msg", org.hamcrest.Matchers.containsString("quota"))
                .body("detail[0].type", equalTo("value_error"));
        createBid(bidBody("q-3", fid, "us-central1-a", "$1.00", 1, List.of(key), List.of(), null));
        admin().body(java.util.Collections.singletonMap("project", "flow-dev"))
                .put("/_emulator/quotas").then().statusCode(422);
    }

    @Test
    void validationErrorsHaveFastApiShape() {
        api().queryParam("limit", "0").get("/v2/spot/bids").then().statusCode(422)
                .body("detail", hasSize(1))
                .body("detail[0].loc", equalTo(List.of("query", "limit")))
                .body("detail[0].type", equalTo("greater_than_equal"));
        api().queryParam("limit", "abc").queryParam("sort_dir", "sideways").get("/v2/spot/bids").then().statusCode(422)
                .body("detail", hasSize(2));
        api().body(Map.of("name", "x")).post("/v2/spot/bids").then().statusCode(422)
                .body("detail.loc", org.hamcrest.Matchers.hasItem(List.of("body", "project")))
                .body("detail.type", org.hamcrest.Matchers.everyItem(equalTo("missing")));
        api().body("{not json").post("/v2/spot/bids").then().statusCode(422)
                .body("detail[0].type", equalTo("json_invalid"));
        api().body(bidBody("p", typeFid("a100-80gb.sxm.1x", "us-central1-a"), "us-central1-a", "12.5", 1,
                List.of(), List.of(), null)).post("/v2/spot/bids").then().statusCode(422)
                .body("detail[0].loc", equalTo(List.of("body", "limit_price")));
        api().queryParam("instance_type", "it_x").queryParam("instance_quantity", "300").get("/v2/pricing/current")
                .then().statusCode(422).body("detail[0].type", equalTo("less_than_equal"));
        api().get("/v2/spot/bids/bid_doesnotexist").then().statusCode(404).body("detail", equalTo("Bid not found"));
    }
}
