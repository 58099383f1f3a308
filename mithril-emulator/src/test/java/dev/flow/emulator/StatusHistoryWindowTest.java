package dev.flow.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v2/instances/status/history} with a time window: the instances with status events in it, with those
 * events, paged by a cursor that neither repeats nor skips an instance when another one gains an event between two
 * pages. This is how the status poller asks "what changed since my last cycle" in one call.
 */
@QuarkusTest
class StatusHistoryWindowTest extends EmulatorTestBase {

    private static final String REGION = "us-central2-a";

    @Test
    void aWindowListsOnlyTheInstancesThatChangedInItAndPagesWithoutRepeats() {
        String type = typeFid("a100-80gb.sxm.1x", REGION);
        String key = newSshKey("window").fid();
        String first = createBid(bidBody("window-a", type, REGION, "$40.00", 1, List.of(key), List.of(), null));
        String firstInstance = (String) awaitInstances(first, 1, "STATUS_RUNNING").getFirst().get("fid");
        Instant firstRunning = runningAt(firstInstance);

        // two more instances whose every event comes after the first one's last
        String second = createBid(bidBody("window-b", type, REGION, "$40.00", 1, List.of(key), List.of(), null));
        String third = createBid(bidBody("window-c", type, REGION, "$40.00", 1, List.of(key), List.of(), null));
        String secondInstance = (String) awaitInstances(second, 1, "STATUS_RUNNING").getFirst().get("fid");
        String thirdInstance = (String) awaitInstances(third, 1, "STATUS_RUNNING").getFirst().get("fid");
        Instant since = firstRunning.plusMillis(1);

        JsonPath all = history(since, null, null);
        List<String> listed = all.getList("instances.instance_fid");
        assertThat(listed).contains(secondInstance, thirdInstance).doesNotContain(firstInstance);
        List<Map<String, Object>> instances = all.getList("instances");
        for (Map<String, Object> h : instances) {
            List<Map<String, Object>> events = castList(h.get("events"));
            assertThat(events).as("an instance is listed only with events in the window").isNotEmpty();
            events.forEach(e -> assertThat(Instant.parse((String) e.get("timestamp"))).isAfterOrEqualTo(since));
        }

        // one instance per page; the first instance gains an event (terminated) between two pages: no instance is
        // repeated (an offset cursor would shift by one and list one again) and none skipped
        JsonPath page = history(since, 1, null);
        Set<String> seen = new HashSet<>(page.getList("instances.instance_fid"));
        List<String> order = new ArrayList<>(page.getList("instances.instance_fid"));
        String cursor = page.getString("next_cursor");
        assertThat(cursor).isNotNull();
        api().delete("/v2/spot/bids/" + first).then().statusCode(204);
        while (cursor != null) {
            page = history(since, 1, cursor);
            List<String> fids = page.getList("instances.instance_fid");
            assertThat(fids).hasSizeLessThanOrEqualTo(1);
            fids.forEach(f -> assertThat(seen.add(f)).as("listed twice: " + f).isTrue());
            order.addAll(fids);
            cursor = page.getString("next_cursor");
        }
        // in the listing's own order (the two bids' instances may be allocated in either order in one auction)
        assertThat(order).containsSubsequence(listed.stream()
                .filter(f -> f.equals(secondInstance) || f.equals(thirdInstance)).toList());
        // asked again, the window now holds the termination
        assertThat(history(since, null, null).getList("instances.instance_fid", String.class)).contains(firstInstance);

        api().delete("/v2/spot/bids/" + second).then().statusCode(204);
        api().delete("/v2/spot/bids/" + third).then().statusCode(204);
    }

    @Test
    void aMalformedCursorIsAValidationError() {
        api().queryParam("project", project).queryParam("start_time", "2024-01-01T00:00:00-00:00")
                .queryParam("next_cursor", "not a cursor!").get("/v2/instances/status/history").then().statusCode(422);
    }

    private Instant runningAt(String instance) {
        List<Map<String, Object>> events = api().queryParam("project", project).queryParam("instance_fid", instance)
                .get("/v2/instances/status/history").then().statusCode(200).extract().jsonPath()
                .getList("instances[0].events");
        return events.stream().filter(e -> "STATUS_RUNNING".equals(e.get("status")))
                .map(e -> Instant.parse((String) e.get("timestamp"))).findFirst().orElseThrow();
    }

    private JsonPath history(Instant since, Integer limit, String cursor) {
        var request = api().queryParam("project", project).queryParam("start_time", since.toString());
        if (limit != null) {
            request = request.queryParam("limit", limit);
        }
        if (cursor != null) {
            request = request.queryParam("next_cursor", cursor);
        }
        return request.get("/v2/instances/status/history").then().statusCode(200).extract().jsonPath();
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> castList(Object list) {
        return (List<T>) list;
    }
}
