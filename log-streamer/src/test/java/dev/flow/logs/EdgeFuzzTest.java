package dev.flow.logs;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.fuzz.EdgeFuzz;
import dev.flow.devstack.fuzz.EdgeFuzz.Case;
import dev.flow.devstack.fuzz.Gen;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URL;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

/**
 * Generated hostile requests against the log endpoints of the running log streamer (real Kafka): never a 5xx,
 * every 4xx problem+json, every answer (status line) within 2 s, as plain text and as an event stream.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class EdgeFuzzTest {

    private static final List<String> VIEW_PARAMS = List.of("tail", "node", "follow", "after", "batch");

    @TestHTTPResource("/")
    URL base;

    private final String alice = DevJwt.shared().token("alice", List.of("flow-dev"));

    @SuppressWarnings("unchecked")
    private static Gen<Case> everyEndpoint() {
        Gen<Case> plain = EdgeFuzz.gets(id -> "/v1/tasks/" + id + "/logs", VIEW_PARAMS);
        Gen<Case> known = EdgeFuzz.gets("/v1/tasks/task-0000000000000000/logs", VIEW_PARAMS);
        return Gen.weighted(
                3, plain,
                3, known,
                // the same as an event stream: refusals come before the first event
                3, known.map(c -> new Case(c.method(), c.path(), c.query(), null, null)),
                1, EdgeFuzz.gets("/v1/logs/tasks", List.of("project")));
    }

    @Test
    void hostileRequestsGetProblemsPromptly() {
        long seed = Gen.seed();
        EdgeFuzz.Result plain = new EdgeFuzz(base.toString(), alice).run(everyEndpoint(), seed, 300);
        System.out.println(EdgeFuzz.summary("log-streamer (text/plain)", seed, plain));
        assertThat(plain.failures()).as("seed %d", seed).isEmpty();
        EdgeFuzz.Result events = new EdgeFuzz(base.toString(), alice, "text/event-stream")
                .run(EdgeFuzz.gets("/v1/tasks/task-0000000000000000/logs", VIEW_PARAMS), seed + 1, 100);
        System.out.println(EdgeFuzz.summary("log-streamer (text/event-stream)", seed + 1, events));
        assertThat(events.failures()).as("seed %d", seed + 1).isEmpty();
        assertThat(plain.statuses().keySet()).anyMatch(s -> s >= 400 && s < 500);
    }

    @ParameterizedTest
    @ValueSource(strings = {"after=garbage", "after=-5", "after=99999999999999999999999", "batch=perhaps",
        "follow=maybe", "tail=-1", "tail=10001", "node=-1", "node=x", "after=5"})
    void badViewParametersAre422NamingThem(String query) {
        String name = query.substring(0, query.indexOf('='));
        given().auth().oauth2(alice).urlEncodingEnabled(false).accept("text/plain")
                .get("/v1/tasks/task-0000000000000000/logs?" + query)
                .then().statusCode(422).contentType("application/problem+json").body("errors.field", hasItem(name));
    }
}
