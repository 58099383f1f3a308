package dev.flow.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.model.event.EventCodec;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.StopTask;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.KafkaClientProperties;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(JwtTestResource.class)
@WithTestResource(KafkaTestResource.class)
class ServiceSupportTest {

    private static final String PROBLEM = "application/problem+json";

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @jakarta.inject.Inject
    KafkaClientProperties kafkaClients;

    @Test
    void handBuiltKafkaClientsGetTheConnectorsKafkaSettings() throws Exception {
        Map<String, Object> props = kafkaClients.consumer(Map.of("client.id", "probe-hand-built"));
        assertThat(props).containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule "
                        + "required username=\"probe\" password=\"probe-secret\";")
                .containsKey("bootstrap.servers");
        // and a client built from them talks to the real broker
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer());
             var admin = org.apache.kafka.clients.admin.Admin.create(kafkaClients.admin(Map.of()))) {
            assertThat(consumer.listTopics(Duration.ofSeconds(20))).isNotNull();
            assertThat(admin.describeCluster().nodes().get(20, java.util.concurrent.TimeUnit.SECONDS)).isNotEmpty();
        }
    }

    private static String token(String... projects) {
        return DevJwt.shared().token("alice", List.of(projects));
    }

    @Test
    void missingBadAndExpiredTokensAre401Problems() {
        given().get("/probe/whoami").then().statusCode(401).contentType(PROBLEM)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("title", equalTo("AuthenticationError"));
        given().auth().oauth2("not-a-jwt").get("/probe/whoami").then().statusCode(401).contentType(PROBLEM);
        given().auth().oauth2(DevJwt.generate().token("mallory", List.of("proj_a")))
                .get("/probe/whoami").then().statusCode(401).contentType(PROBLEM);
        given().auth().oauth2(DevJwt.shared().token("alice", List.of("proj_a"), Set.of(), Duration.ofMinutes(-5)))
                .get("/probe/whoami").then().statusCode(401).contentType(PROBLEM);
    }

    @Test
    void theTokenNamesTheCallerAndTheirProjects() {
        given().auth().oauth2(DevJwt.shared().adminToken("carol", List.of("proj_a", "proj_b")))
                .get("/probe/whoami").then().statusCode(200)
                .body("", contains("carol", "proj_a,proj_b", "true"));
    }

    @Test
    void anotherProjectsResourceIsNotFound() {
        given().auth().oauth2(token("proj_a")).get("/probe/projects/proj_a").then().statusCode(200);
        given().auth().oauth2(token("proj_a")).get("/probe/projects/proj_b").then()
                .statusCode(404).contentType(PROBLEM)
                .body("type", equalTo("https://flow.dev/errors/ResourceNotFoundError"))
                .body("detail", containsString("not found"));
        // admin is scoped to the token's projects: it opens no other project (ProjectAccess)
        given().auth().oauth2(DevJwt.shared().adminToken("root", List.of("proj_a"))).get("/probe/projects/proj_b")
                .then().statusCode(404).contentType(PROBLEM);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        given().auth().oauth2(DevJwt.shared().token("alice", List.of("proj_a"), Set.of(), Duration.ofMinutes(5),
                "another-audience")).get("/probe/whoami").then().statusCode(401).contentType(PROBLEM);
    }

    @Test
    void invalidTaskConfigNamesEachFieldWithReasonAndSuggestion() {
        given().auth().oauth2(token("proj_a")).contentType("application/json")
                .body("""
                        {"name": "train", "command": "python train.py", "instance_type": "nvidia-a100",
                         "num_instances": 0, "env": {"API_KEY": "s3cret-value"}}""")
                .post("/probe/tasks").then()
                .statusCode(422).contentType(PROBLEM)
                .body("title", equalTo("ValidationError"))
                .body("errors.field", hasItem("instance_type"))
                .body("errors.field", hasItem("num_instances"))
                .body("errors.find { it.field == 'instance_type' }.suggestion", containsString("a100"))
                .body(org.hamcrest.Matchers.not(containsString("s3cret-value")));
    }

    @Test
    void unknownFieldsGetTheClosestKnownName() {
        given().auth().oauth2(token("proj_a")).contentType("application/json")
                .body("{\"name\": \"t\", \"command\": \"true\", \"instance_typ\": \"a100\"}")
                .post("/probe/tasks").then()
                .statusCode(422).contentType(PROBLEM)
                .body("errors.field", hasItem("instance_typ"))
                .body("errors.find { it.field == 'instance_typ' }.suggestion", containsString("instance_type"));
    }

    @Test
    void beanValidationAndMistypedJsonAreValidationProblems() {
        given().auth().oauth2(token("proj_a")).contentType("application/json")
                .body("{\"sizeGb\": 0, \"name\": \"x\"}")
                .post("/probe/sized").then().statusCode(422).contentType(PROBLEM)
                .body("errors[0].field", equalTo("sizeGb"))
                .body("errors[0].reason", equalTo("must be at least 1"));
        given().auth().oauth2(token("proj_a")).contentType("application/json")
                .body("{\"sizeGb\": \"lots\", \"name\": \"x\"}")
                .post("/probe/sized").then().statusCode(422).contentType(PROBLEM)
                .body("errors[0].field", equalTo("sizeGb"))
                .body("errors[0].reason", equalTo("must be a number"));
    }

    @Test
    void flowErrorsKeepTheirClassStatusAndSuggestions() {
        given().auth().oauth2(token("proj_a")).get("/probe/quota").then()
                .statusCode(409).contentType(PROBLEM)
                .body("title", equalTo("InsufficientQuotaError"))
                .body("suggestions", contains("ask for 4xa100"));
        given().auth().oauth2(token("proj_a")).get("/probe/nothing-here").then()
                .statusCode(404).contentType(PROBLEM);
    }

    @Test
    void eventsLeaveAsBinaryCloudEventsKeyedByTask() {
        String task = "task-" + UUID.randomUUID();
        ConsumerTask<String, byte[]> records = companion
                .consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("probe-" + UUID.randomUUID())
                .withOffsetReset(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                .withAutoCommit()
                .fromTopics("probe.commands");

        given().auth().oauth2(token("proj_a")).post("/probe/stop/" + task).then().statusCode(204);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> records.getRecords().stream().anyMatch(r -> task.equals(r.key())));
        ConsumerRecord<String, byte[]> record = records.getRecords().stream()
                .filter(r -> task.equals(r.key())).findFirst().orElseThrow();
        Map<String, String> headers = CloudEventRecords.headersOf(record);
        assertThat(headers).containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_type", "dev.flow.task.command.stop.v1")
                .containsEntry("ce_source", "/flow/probe")
                .containsEntry("ce_subject", task)
                .containsEntry("content-type", EventCodec.CONTENT_TYPE)
                .containsKey("ce_id").containsKey("ce_time");
        Optional<FlowEvent> event = CloudEventRecords.fromRecord(record);
        assertThat(event).contains(new StopTask(task, TransitionReason.MAX_RUNTIME, "probe",
                java.time.Instant.parse("2026-01-02T03:04:05Z")));
        records.stop();
    }
}
