package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.json.FlowJson;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.RunningTasks;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.asBob;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * {@code POST /v1/tasks/{id}/exec} on a 2-node task that really runs on the emulator: the command goes over SSH
 * (MINA SSHD, the platform key the submitter adds to every bid) to the chosen node's own SSH server.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ExecResourceTest {

    private static final List<String> STARTED = new ArrayList<>();
    private static String twoNodeTask;

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    /** One 2-node task, running for the whole class (started by the first test that needs it). */
    private synchronized String task() {
        if (twoNodeTask == null) {
            twoNodeTask = RunningTasks.submitAndRun(kafka, """
                    {"name": "%s", "instance_type": "a100", "num_instances": 2, "command": "sleep 600",
                     "env": {"GREETING": "hello from the node"}}""".formatted(uniqueName("exec")));
            STARTED.add(twoNodeTask);
        }
        return twoNodeTask;
    }

    @AfterAll
    static void cancelTasks() {
        // the application is gone by now: end the bids at the emulator directly
        STARTED.forEach(RunningTasks::cancelBid);
    }

    private Response exec(String taskId, String body) {
        return asAlice().contentType("application/json").accept("application/json").body(body)
                .post("/v1/tasks/" + taskId + "/exec");
    }

    @Test
    void runsOnTheChosenNodeWithTheTasksEnvironment() {
        String taskId = task();
        exec(taskId, "{\"command\": \"echo node=$FLOW_NODE_RANK of $FLOW_NUM_NODES: $GREETING\"}")
                .then().statusCode(200).contentType(containsString("application/json"))
                .body("stdout", equalTo("node=0 of 2: hello from the node\n"))
                .body("stderr", equalTo(""))
                .body("exit_code", equalTo(0))
                .body("node", equalTo(0))
                .body("duration_ms", greaterThanOrEqualTo(0))
                .body("truncated", equalTo(false));
        exec(taskId, "{\"command\": \"echo node=$FLOW_NODE_RANK\", \"node\": 1, \"timeout_seconds\": 30}")
                .then().statusCode(200)
                .body("stdout", equalTo("node=1\n"))
                .body("node", equalTo(1));
    }

    @Test
    void returnsStdoutStderrAndTheExitCodeVerbatim() {
        String hostile = "it's \"quoted\" $(not run) `nor this` — ünïcødé ✓";
        String body = FlowJson.mapper().createObjectNode()
                .put("command", "printf '%s\\n' 'out 1' 'out 2'; echo 'oops' >&2; cat <<'EOF'\n" + hostile
                        + "\nEOF\nexit 3")
                .toString();
        exec(task(), body).then().statusCode(200)
                .body("stdout", equalTo("out 1\nout 2\n" + hostile + "\n"))
                .body("stderr", equalTo("oops\n"))
                .body("exit_code", equalTo(3));
    }

    @Test
    void streamsServerSentEventsEndingWithTheExit() {
        Response response = asAlice().contentType("application/json").accept("text/event-stream")
                .body("{\"command\": \"for i in 1 2 3; do echo line$i; done; echo warn >&2; exit 4\", \"node\": 1}")
                .post("/v1/tasks/" + task() + "/exec");
        response.then().statusCode(200).contentType(containsString("text/event-stream"));
        List<Sse> events = sse(response.asString());
        assertThat(events).isNotEmpty();
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        for (Sse e : events.subList(0, events.size() - 1)) {
            assertThat(e.name()).isIn("stdout", "stderr");
            assertThat(e.data().path("type").asText()).isEqualTo(e.name());
            (e.name().equals("stdout") ? stdout : stderr).append(e.data().path("data").asText());
        }
        assertThat(stdout.toString()).isEqualTo("line1\nline2\nline3\n");
        assertThat(stderr.toString()).isEqualTo("warn\n");
        Sse last = events.getLast();
        assertThat(last.name()).isEqualTo("exit");
        assertThat(last.data().path("exit_code").asInt()).isEqualTo(4);
        assertThat(last.data().path("node").asInt()).isEqualTo(1);
    }

    @Test
    void streamsNdjsonEndingWithTheExit() throws Exception {
        Response response = asAlice().contentType("application/json").accept("application/x-ndjson")
                .body("{\"command\": \"echo a; echo b\"}")
                .post("/v1/tasks/" + task() + "/exec");
        response.then().statusCode(200).contentType(containsString("application/x-ndjson"));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : response.asString().split("\n")) {
            if (!line.isBlank()) {
                lines.add(FlowJson.mapper().readTree(line));
            }
        }
        assertThat(lines.getLast().path("type").asText()).isEqualTo("exit");
        assertThat(lines.getLast().path("exit_code").asInt()).isZero();
        assertThat(lines.subList(0, lines.size() - 1)).allSatisfy(l -> assertThat(l.path("type").asText())
                .isEqualTo("stdout"));
        assertThat(lines.subList(0, lines.size() - 1).stream().map(l -> l.path("data").asText())
                .reduce("", String::concat)).isEqualTo("a\nb\n");
    }

    @Test
    void aCommandStillRunningAtItsTimeoutIs504() {
        exec(task(), "{\"command\": \"sleep 30\", \"timeout_seconds\": 1}").then().statusCode(504)
                .contentType(containsString("application/problem+json"))
                .body("type", containsString("TimeoutError"))
                .body("detail", containsString("after 1 s"));
        // streamed: the failure is the stream's last event
        Response streamed = asAlice().contentType("application/json").accept("text/event-stream")
                .body("{\"command\": \"echo started; sleep 30\", \"timeout_seconds\": 1}")
                .post("/v1/tasks/" + task() + "/exec");
        List<Sse> events = sse(streamed.asString());
        assertThat(events.getFirst().data().path("data").asText()).isEqualTo("started\n");
        assertThat(events.getLast().name()).isEqualTo("error");
        assertThat(events.getLast().data().path("error").path("status").asInt()).isEqualTo(504);
    }

    @Test
    void aNodeOutOfRangeIs422OnNode() {
        for (String accept : List.of("application/json", "text/event-stream", "application/x-ndjson")) {
            asAlice().contentType("application/json").accept(accept).body("{\"command\": \"true\", \"node\": 2}")
                    .post("/v1/tasks/" + task() + "/exec").then().statusCode(422)
                    .contentType(containsString("application/problem+json"))
                    .body("errors.field", hasItem("node"))
                    .body("errors[0].reason", containsString("between 0 and 1"));
        }
        exec(task(), "{\"command\": \"true\", \"node\": -1}").then().statusCode(422).body("errors.field", hasItem("node"));
    }

    @Test
    void aTaskThatIsNotRunningIs409WithASuggestion() {
        String pending = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("pending"))).then().statusCode(201).extract().path("task_id");
        STARTED.add(pending);
        for (String accept : List.of("application/json", "text/event-stream")) {
            asAlice().contentType("application/json").accept(accept).body("{\"command\": \"true\"}")
                    .post("/v1/tasks/" + pending + "/exec").then().statusCode(409)
                    .contentType(containsString("application/problem+json"))
                    .body("type", containsString("TaskExecutionError"))
                    .body("detail", containsString("is pending"))
                    .body("suggestions[0]", containsString("wait until the task is running"));
        }
    }

    @Test
    void anotherProjectsOrAnUnknownTaskIs404() {
        asBob().contentType("application/json").accept("application/json").body("{\"command\": \"id\"}")
                .post("/v1/tasks/" + task() + "/exec").then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        asBob().contentType("application/json").accept("text/event-stream").body("{\"command\": \"id\"}")
                .post("/v1/tasks/" + task() + "/exec").then().statusCode(404);
        exec("task-0000000000000000", "{\"command\": \"id\"}").then().statusCode(404);
    }

    @Test
    void badBodiesAre422NamingTheFieldAndNoTokenIs401() {
        String taskId = task();
        exec(taskId, "{}").then().statusCode(422).body("errors.field", hasItem("command"));
        exec(taskId, "{\"command\": \"id\", \"nodes\": 1}").then().statusCode(422)
                .body("errors[0].field", equalTo("nodes")).body("errors[0].suggestion", equalTo("node"));
        exec(taskId, "{\"command\": \"id\", \"node\": \"one\"}").then().statusCode(422)
                .body("errors.field", hasItem("node"));
        exec(taskId, "{\"command\": \"id\", \"timeout_seconds\": 0}").then().statusCode(422)
                .body("errors.field", hasItem("timeout_seconds"));
        exec(taskId, "not json").then().statusCode(422);
        given().contentType("application/json").body("{\"command\": \"id\"}").post("/v1/tasks/" + taskId + "/exec")
                .then().statusCode(401);
    }

    @Test
    void theApiDocumentsExec() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v1/tasks/{id}/exec'.post.summary", startsWith("Run a command on a node"));
    }

    /** One Server-Sent Event: its name and its JSON data. */
    record Sse(String name, JsonNode data) {
    }

    private static final Pattern EVENT = Pattern.compile("(?m)^event:\\s?(.*)\\n^data:\\s?(.*)$");

    private static List<Sse> sse(String body) {
        List<Sse> events = new ArrayList<>();
        Matcher m = EVENT.matcher(body);
        while (m.find()) {
            try {
                events.add(new Sse(m.group(1).strip(), FlowJson.mapper().readTree(m.group(2))));
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + m.group(2), e);
            }
        }
        return events;
    }
}
