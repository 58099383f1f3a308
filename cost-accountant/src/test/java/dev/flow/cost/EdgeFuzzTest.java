package dev.flow.cost;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.fuzz.EdgeFuzz;
import dev.flow.devstack.fuzz.EdgeFuzz.Case;
import dev.flow.devstack.fuzz.Gen;
import dev.flow.devstack.fuzz.HostileValues;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Generated hostile requests against every public endpoint and query parameter of the running cost accountant (real
 * Kafka and PostgreSQL): never a 5xx, every 4xx problem+json, every answer within 2 s. The token names a project of
 * its own, so a budget a generated body happens to create touches no other test's tasks.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
class EdgeFuzzTest {

    private static final String PROJECT = "fuzz-costs";

    @TestHTTPResource("/")
    URL base;

    private static String token() {
        return DevJwt.shared().token("alice", List.of(PROJECT));
    }

    @SuppressWarnings("unchecked")
    private static Gen<Case> everyEndpoint() {
        return Gen.weighted(
                2, EdgeFuzz.gets(id -> "/v1/costs/tasks/" + id, List.of()),
                3, EdgeFuzz.gets("/v1/costs/projects/" + PROJECT, List.of("from", "to", "group_by")),
                1, EdgeFuzz.gets(p -> "/v1/costs/projects/" + p, List.of("from", "to", "group_by")),
                2, EdgeFuzz.gets("/v1/costs/projects/" + PROJECT + ".csv", List.of("from", "to", "group_by")),
                2, EdgeFuzz.gets("/v1/costs/projects/" + PROJECT + "/chart.svg", List.of("from", "to", "period")),
                1, EdgeFuzz.gets(p -> "/v1/costs/projects/" + p + "/chart.svg", List.of()),
                3, EdgeFuzz.posts("/v1/budgets", List.of("project", "period", "limit", "thresholds", "action"), null),
                2, EdgeFuzz.gets("/v1/budgets", List.of("project")),
                2, EdgeFuzz.gets(id -> "/v1/budgets/" + id, List.of()),
                1, (Gen<Case>) r -> new Case("DELETE", "/v1/budgets/" + EdgeFuzz.encode(HostileValues.text().next(r)
                        + "x"), Map.of(), null, null));
    }

    @Test
    void hostileRequestsGetProblemsPromptly() {
        long seed = Gen.seed();
        EdgeFuzz.Result result = new EdgeFuzz(base.toString(), token()).run(everyEndpoint(), seed, 400);
        System.out.println(EdgeFuzz.summary("cost-accountant", seed, result));
        assertThat(result.failures()).as("seed %d", seed).isEmpty();
        assertThat(result.statuses().keySet()).anyMatch(s -> s >= 400 && s < 500);
    }

    @Test
    void aNulInATaskIdIsNotFoundAndAFarInstantIsRefused() {
        given().auth().oauth2(token()).urlEncodingEnabled(false).get("/v1/costs/tasks/task-%00")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(token()).queryParam("from", "+1000000000-01-01T00:00:00Z")
                .get("/v1/costs/projects/" + PROJECT).then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("from"));
        given().auth().oauth2(token()).contentType("application/json")
                .body("{\"period\": \"monthly\", \"limit\": 1e500000000}").post("/v1/budgets")
                .then().statusCode(422).contentType("application/problem+json");
        given().auth().oauth2(token()).contentType("text/plain")
                .body("{\"period\": \"monthly\", \"limit\": \"$5\"}").post("/v1/budgets")
                .then().statusCode(415).contentType("application/problem+json");
    }
}
