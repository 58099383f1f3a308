package dev.flow.submitter.rest;

import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.model.money.Money;
import dev.flow.submitter.PlatformKeyTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** {@code GET /v1/instances} against the emulator's live catalog. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InstanceResourceTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    private static List<Map<String, Object>> find(String query) {
        return asAlice().get("/v1/instances" + query).then().statusCode(200).extract().jsonPath().getList("$");
    }

    private static List<Money> prices(List<Map<String, Object>> offers) {
        return offers.stream().map(o -> Money.parse((String) o.get("price_per_hour"))).toList();
    }

    @Test
    void offersComeFromTheLiveCatalogCheapestFirstOnePerTypeAndRegion() {
        Map<String, InstanceType> types = mithril().instanceTypes().await().atMost(WAIT).stream()
                .collect(Collectors.toMap(InstanceType::fid, Function.identity()));
        List<Map<String, Object>> offers = find("?limit=100");
        assertThat(offers).isNotEmpty();
        assertThat(prices(offers)).isSorted();
        assertThat(offers).extracting(o -> o.get("fid") + "@" + o.get("region")).doesNotHaveDuplicates();
        for (Map<String, Object> offer : offers) {
            InstanceType type = types.get((String) offer.get("fid"));
            assertThat(type).as("fid %s is in the catalog", offer.get("fid")).isNotNull();
            assertThat(offer).containsEntry("mithril_name", type.name())
                    .containsEntry("gpu_count", type.numGpus())
                    .containsEntry("gpu_memory_gb", type.gpuMemoryGb())
                    .containsEntry("gpu_type", type.gpuType().toLowerCase());
            assertThat((Integer) offer.get("available_capacity")).isPositive();
            assertThat((String) offer.get("price_per_hour")).matches("^\\$\\d+\\.\\d{2}$");
        }
        assertThat(offers).filteredOn(o -> o.get("mithril_name").equals("a100-80gb.sxm.4x"))
                .isNotEmpty().allSatisfy(o -> assertThat(o).containsEntry("instance_type", "4xa100"));
        assertThat(find("")).hasSize(Math.min(10, offers.size())); // default limit
        assertThat(find("?limit=3")).hasSize(3);
    }

    @Test
    void everyCriterionFilters() {
        assertThat(find("?instance_type=4xa100&limit=100")).isNotEmpty()
                .allSatisfy(o -> assertThat(o).containsEntry("mithril_name", "a100-80gb.sxm.4x"));
        assertThat(find("?instance_type=a100-80gb.sxm.8x&limit=100")).isNotEmpty()
                .allSatisfy(o -> assertThat(o).containsEntry("instance_type", "8xa100"));
        assertThat(find("?gpu_type=H200&min_gpu_count=8&limit=100")).isNotEmpty()
                .allSatisfy(o -> assertThat(o).containsEntry("mithril_name", "ccs-h200.sxm.8x"));
        assertThat(find("?gpu_memory_gb=150&limit=100")).isNotEmpty()
                .allSatisfy(o -> assertThat(o).containsEntry("gpu_type", "b200"));
        List<Map<String, Object>> all = find("?limit=100");
        String region = (String) all.getFirst().get("region");
        assertThat(find("?region=" + region + "&limit=100")).isNotEmpty()
                .allSatisfy(o -> assertThat(o).containsEntry("region", region));
        // the median: spot prices move between two calls, so not the cheapest price itself
        Money median = prices(all).get(all.size() / 2);
        List<Map<String, Object>> cheap = find("?max_price=" + median.amount().toPlainString() + "&limit=100");
        assertThat(cheap).isNotEmpty().hasSizeLessThan(all.size());
        assertThat(prices(cheap)).allSatisfy(p -> assertThat(p).isLessThanOrEqualTo(median));
        assertThat(find("?max_price=0")).isEmpty();
    }

    @Test
    void badCriteriaAre422ProblemsNamingTheField() {
        bad("?limit=0", "limit");
        bad("?limit=101", "limit");
        bad("?limit=ten", "limit");
        bad("?max_price=-1", "max_price");
        bad("?max_price=cheap", "max_price");
        bad("?min_gpu_count=0", "min_gpu_count");
        bad("?gpu_memory_gb=-80", "gpu_memory_gb");
        bad("?region=mars-central1-a", "region");
        JsonPath gpu = bad("?gpu_type=v100", "gpu_type");
        assertThat(gpu.getString("errors[0].reason")).contains("a100", "h100");
        JsonPath type = bad("?instance_type=nvidia-a100", "instance_type");
        assertThat(type.getList("suggestions", String.class)).contains("a100");
        // every bad field at once
        asAlice().get("/v1/instances?limit=0&max_price=-2&gpu_type=x").then().statusCode(422)
                .body("errors.field", hasItem("limit")).body("errors.field", hasItem("max_price"))
                .body("errors.field", hasItem("gpu_type"));
        given().get("/v1/instances").then().statusCode(401).contentType("application/problem+json");
    }

    private static JsonPath bad(String query, String field) {
        return asAlice().get("/v1/instances" + query).then().statusCode(422)
                .contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("errors[0].field", equalTo(field))
                .body("detail", containsString(field))
                .extract().jsonPath();
    }
}
