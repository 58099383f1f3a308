package dev.flow.poller;

import dev.flow.devstack.fuzz.EdgeFuzz;
import dev.flow.devstack.fuzz.EdgeFuzz.Case;
import dev.flow.devstack.fuzz.Gen;
import dev.flow.devstack.fuzz.HostileValues;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The poller has no API, but its HTTP edge (health, metrics) is the platform's: generated hostile paths, methods and
 * bodies never get a 5xx (other than health's own 503 while not ready), every 4xx is problem+json, within 2 s.
 */
@QuarkusTest
@TestProfile(ManualCyclesProfile.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
class EdgeFuzzTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void hostileRequestsGetProblemsPromptly() {
        Gen<String> segment = HostileValues.text().map(s -> s.isEmpty() ? "%20" : EdgeFuzz.encode(s));
        @SuppressWarnings("unchecked")
        Gen<Case> cases = Gen.weighted(
                3, (Gen<Case>) r -> Case.get("/v1/" + segment.next(r), Map.of()),
                2, (Gen<Case>) r -> Case.get("/" + segment.next(r) + "/" + segment.next(r), Map.of()),
                2, (Gen<Case>) r -> new Case(Gen.of("POST", "PUT", "DELETE", "PATCH").next(r), "/q/metrics", Map.of(),
                        "application/json", HostileValues.jsonValue().next(r)),
                1, EdgeFuzz.posts("/v1/tasks", List.of("name", "command"), null));
        long seed = Gen.seed();
        EdgeFuzz.Result result = new EdgeFuzz(base.toString(), null).run(cases, seed, 200);
        System.out.println(EdgeFuzz.summary("status-poller", seed, result));
        assertThat(result.failures()).as("seed %d", seed).isEmpty();
        assertThat(result.statuses().keySet()).contains(404);
    }
}
