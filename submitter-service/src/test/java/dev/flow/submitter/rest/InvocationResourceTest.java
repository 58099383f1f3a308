package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.json.FlowJson;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.RunningTasks;
import dev.flow.submitter.service.InvocationRunner;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.asBob;
import static dev.flow.submitter.SubmitterTestSupport.bidCreations;
import static dev.flow.submitter.SubmitterTestSupport.bidOf;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@code POST /v1/invocations} end to end: the task really runs the runner on the emulator (python3 as a local
 * process); its output is read over SSH ({@code docker logs main} through the exec endpoint) and published to
 * {@code flow.task.logs} as the log-streamer would (it does not run in these tests), and the result comes back.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class InvocationResourceTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> STARTED = new ArrayList<>();
    private static final String MODULE = """
            def fit(x, epochs=1, label=""):
                print("training", label)
                return {"value": x * epochs, "label": label, "items": [1.5, None, True]}

            def broken(x):
                return 1 / x
            """;
    private static final String HOSTILE = "it's \"ü\" $(id) `id`\nline 2 ✓";

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @AfterAll
    static void cancelTasks() {
        STARTED.forEach(RunningTasks::cancelBid);
    }

    private static String body(String function, Object args, Map<String, Object> kwargs) {
        ObjectNode body = FlowJson.mapper().createObjectNode()
                .put("module_source", MODULE).put("module_name", "train").put("function", function)
                .put("gpu", "a100").put("name", "invoke-" + UUID.randomUUID().toString().substring(0, 8));
        body.set("args", FlowJson.mapper().valueToTree(args));
        body.set("kwargs", FlowJson.mapper().valueToTree(kwargs));
        return body.toString();
    }

    private static Response invoke(String json) {
        return asAlice().contentType("application/json").body(json).post("/v1/invocations");
    }

    @Test
    void theFunctionsJsonResultComesBackFromTheTasksOutput() {
        Response created = invoke(body("fit", List.of(2), Map.of("epochs", 3, "label", HOSTILE)));
        created.then().statusCode(201)
                .header("Location", containsString("/v1/invocations/inv-"))
                .body("id", matchesPattern("^inv-[0-9a-z]{16}$"))
                .body("task_id", matchesPattern("^task-[0-9a-z]{16}$"))
                .body("status", equalTo("pending"))
                .body("result", nullValue())
                .body("module_name", equalTo("train"))
                .body("function", equalTo("fit"));
        String id = created.path("id");
        String taskId = created.path("task_id");
        STARTED.add(taskId);
        assertThat(id.substring(4)).isEqualTo(taskId.substring(5));
        // the task is a normal task, with the runner as its command and the module in (redacted) env
        asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                .body("config.command", equalTo(InvocationRunner.COMMAND))
                .body("config.env." + InvocationRunner.ENV_SOURCE, equalTo("***"))
                .body("config.image", equalTo("python:3.12-slim"));

        RunningTasks.markRunning(kafka, taskId);
        asAlice().get("/v1/invocations/" + id).then().body("status", equalTo("running"));

        List<String> lines = publishOutput(taskId);
        assertThat(lines).contains("training " + HOSTILE.replace("\nline 2 ✓", ""));
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("succeeded"))
                .body("result.value", equalTo(6))
                .body("result.label", equalTo(HOSTILE))
                .body("result.items", equalTo(java.util.Arrays.asList(1.5f, null, true)))
                .body("error", nullValue())
                .body("finished_at", matchesPattern(".+")));

        // a later (forged or repeated) result line changes nothing: the first one wins
        RecordMetadata last = publish(new LogLine(taskId, 0, 10_000, Instant.now(), LogStream.STDOUT,
                InvocationRunner.MARKER + " {\"ok\":true,\"result\":\"forged\"}"));
        awaitConsumedPast(last);
        asAlice().get("/v1/invocations/" + id).then().body("result.value", equalTo(6));
    }

    @Test
    void anExceptionComesBackAsTheInvocationsError() {
        String taskId = invoke(body("broken", List.of(0), Map.of())).then().statusCode(201).extract().path("task_id");
        STARTED.add(taskId);
        String id = "inv-" + taskId.substring(5);
        RunningTasks.markRunning(kafka, taskId);
        publishOutput(taskId);
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/invocations/" + id).then()
                .body("status", equalTo("failed"))
                .body("result", nullValue())
                .body("error.type", equalTo("ZeroDivisionError"))
                .body("error.message", equalTo("division by zero"))
                .body("error.traceback", containsString("in broken")));
    }

    @Test
    void aTaskThatEndsWithoutAResultFailsTheInvocationAfterTheGrace() {
        Response created = invoke(body("fit", List.of(1), Map.of()));
        String taskId = created.then().statusCode(201).extract().path("task_id");
        STARTED.add(taskId);
        String id = created.path("id");
        Instant now = Instant.now();
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_STATUS,
                new TaskStatusChanged(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.FAILED,
                        TransitionReason.PROVIDER_ERROR, now, now, List.of(), null, 1, null, null, null, 0,
                        "instance failed"))).awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> asAlice().get("/v1/invocations/" + id).then()
                .body("task_status", equalTo("failed"))
                .body("status", equalTo("failed"))
                .body("error.type", equalTo("NoResult"))
                .body("error.message", containsString("ended failed")));
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstInvocationAndRefusesAnotherBody() {
        String key = "inv-key-" + UUID.randomUUID();
        String json = body("fit", List.of(1), Map.of("epochs", 2));
        long bidsBefore = bidCreations(emulator);
        Response first = asAlice().contentType("application/json").header("Idempotency-Key", key).body(json)
                .post("/v1/invocations");
        first.then().statusCode(201);
        STARTED.add(first.path("task_id"));
        asAlice().contentType("application/json").header("Idempotency-Key", key).body(json).post("/v1/invocations")
                .then().statusCode(200).body("id", equalTo(first.path("id")));
        asAlice().contentType("application/json").header("Idempotency-Key", key)
                .body(body("fit", List.of(2), Map.of())).post("/v1/invocations")
                .then().statusCode(422).contentType(containsString("application/problem+json"))
                .body("errors.field", hasItem("Idempotency-Key"))
                .body("detail", containsString(key));
        assertThat(bidCreations(emulator) - bidsBefore).isEqualTo(1);
        // the same key on a task is another key space: no clash with the invocation
        asAlice().contentType("application/json").header("Idempotency-Key", key)
                .body("{\"name\": \"plain\", \"instance_type\": \"a100\", \"command\": \"true\"}").post("/v1/tasks")
                .then().statusCode(201);
    }

    @Test
    void badRequestsAre422NamingTheFieldAndPlaceNoBid() {
        long bidsBefore = bidCreations(emulator);
        invoke(body("not-a-function", List.of(), Map.of())).then().statusCode(422)
                .contentType(containsString("application/problem+json")).body("errors.field", hasItem("function"));
        invoke(body("fit", List.of(), Map.of()).replace("\"module_name\":\"train\"", "\"module_name\":\"1x\""))
                .then().statusCode(422).body("errors.field", hasItem("module_name"));
        invoke(body("fit", List.of(), Map.of()).replace("\"args\":[]", "\"args\":{}")).then().statusCode(422)
                .body("errors.field", hasItem("args"));
        invoke(body("fit", List.of(), Map.of()).replace("\"gpu\"", "\"gpus\"")).then().statusCode(422)
                .body("errors[0].field", equalTo("gpus")).body("errors[0].suggestion", equalTo("gpu"));
        invoke("{\"function\": \"fit\", \"gpu\": \"a100\"}").then().statusCode(422)
                .body("errors.field", hasItem("module_source"));
        invoke(body("fit", List.of(), Map.of()).replace("\"gpu\":\"a100\"", "\"gpu\":\"a100\",\"env\":"
                + "{\"FLOW_INVOKE_SOURCE\":\"x\"}")).then().statusCode(422)
                .body("errors.field", hasItem("env.FLOW_INVOKE_SOURCE"));
        invoke(body("fit", List.of(), Map.of()).replace("\"gpu\":\"a100\"", "\"gpu\":\"z999\"")).then()
                .statusCode(422).body("errors.field", hasItem("instance_type"));
        // random text does not compress: too big for the startup script even gzipped → the script size error
        StringBuilder big = new StringBuilder("DATA = '''");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 40_000; i++) {
            big.append((char) ('a' + random.nextInt(26)));
        }
        big.append("'''\ndef f():\n    return len(DATA)\n");
        ObjectNode tooBig = FlowJson.mapper().createObjectNode().put("module_source", big.toString())
                .put("function", "f").put("gpu", "a100");
        invoke(tooBig.toString()).then().statusCode(422).body("errors.field", hasItem("module_source"))
                .body("errors[0].reason", containsString("limit"));
        assertThat(bidCreations(emulator)).isEqualTo(bidsBefore);
    }

    @Test
    void anotherProjectsOrAnUnknownInvocationIs404AndNoTokenIs401() {
        String id = invoke(body("fit", List.of(1), Map.of())).then().statusCode(201).extract().path("id");
        STARTED.add("task-" + id.substring(4));
        asBob().get("/v1/invocations/" + id).then().statusCode(404)
                .contentType(containsString("application/problem+json"));
        asAlice().get("/v1/invocations/inv-0000000000000000").then().statusCode(404);
        asAlice().get("/v1/invocations/nonsense").then().statusCode(404);
        given().get("/v1/invocations/" + id).then().statusCode(401);
        given().contentType("application/json").body(body("fit", List.of(), Map.of())).post("/v1/invocations")
                .then().statusCode(401);
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/v1/invocations'.post.summary", containsString("invoke"));
    }

    /**
     * Reads node 0's output over SSH (as the log-streamer does) once the runner printed its result line, and
     * publishes every line to {@code flow.task.logs} as the log-streamer would.
     */
    private List<String> publishOutput(String taskId) {
        List<String> lines = await().atMost(WAIT).until(() -> asAlice().contentType("application/json")
                        .accept("application/json").body("{\"command\": \"docker logs main\"}")
                        .post("/v1/tasks/" + taskId + "/exec").then().statusCode(200).extract()
                        .<String>path("stdout").lines().toList(),
                l -> l.stream().anyMatch(line -> line.startsWith(InvocationRunner.MARKER + " ")));
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            records.add(record(Topics.TASK_LOGS, new LogLine(taskId, 0, i, Instant.now(), LogStream.STDOUT,
                    lines.get(i))));
        }
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(records).awaitCompletion();
        return lines;
    }

    private RecordMetadata publish(LogLine line) {
        return kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_LOGS, line))
                .awaitCompletion().getLastRecord();
    }

    private void awaitConsumedPast(RecordMetadata last) {
        TopicPartition partition = new TopicPartition(last.topic(), last.partition());
        await().atMost(WAIT).until(() -> {
            var committed = kafka.consumerGroups().offsets("flow-submitter-service-invocations", partition);
            return committed != null && committed.offset() > last.offset();
        });
    }
}
