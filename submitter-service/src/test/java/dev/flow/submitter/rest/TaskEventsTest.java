package dev.flow.submitter.rest;

import java.util.Set;
import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.json.FlowJson;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.RunningTasks;
import dev.flow.submitter.SubmitterTestSupport;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.bobToken;
import static dev.flow.submitter.SubmitterTestSupport.record;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/tasks/{id}/events}: read as a client would, with the JDK's HTTP client, line by line. */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TaskEventsTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @TestHTTPResource("/")
    URL base;

    final HttpClient http = HttpClient.newHttpClient();

    /** One server-sent event as read off the wire. */
    record Event(String name, String id, JsonNode data) {
    }

    /** Reads the stream on the client's threads; {@code ended} completes when the server closes it. */
    static final class Reader {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        int status;
        String contentType;

        void read(HttpResponse<Stream<String>> response) {
            status = response.statusCode();
            contentType = response.headers().firstValue("Content-Type").orElse("");
            String name = null;
            String id = null;
            StringBuilder data = new StringBuilder();
            try (Stream<String> lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            events.add(new Event(name, id, FlowJson.mapper().readTree(data.toString())));
                        }
                        name = null;
                        id = null;
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    }
                }
                ended.complete(null);
            } catch (Exception e) {
                ended.completeExceptionally(e);
            }
        }
    }

    Reader open(String taskId, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "v1/tasks/" + taskId + "/events"))
                .header("Accept", "text/event-stream");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        Reader reader = new Reader();
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).thenAccept(reader::read)
                .exceptionally(e -> {
                    reader.ended.completeExceptionally(e);
                    return null;
                });
        return reader;
    }

    void publish(String taskId, TaskStatus from, TaskStatus to, TransitionReason reason, Instant at) {
        kafka.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(record(Topics.TASK_STATUS,
                new TaskStatusChanged(taskId, PROJECT, from, to, reason, at, at, List.of(), null, 1, null, null, null,
                        0, null))).awaitCompletion();
    }

    @Test
    void currentViewFirstThenEveryChangeAndTheStreamEndsAtTheTerminalStatus() {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("events"))).then().statusCode(201).extract().path("task_id");
        try {
            Reader reader = open(taskId, SubmitterTestSupport.token());
            await().atMost(WAIT).until(() -> !reader.events.isEmpty());
            assertThat(reader.status).isEqualTo(200);
            assertThat(reader.contentType).startsWith("text/event-stream");
            Event first = reader.events.getFirst();
            assertThat(first.name()).isEqualTo("task");
            assertThat(first.id()).isEqualTo("1");
            assertThat(first.data().path("task_id").asText()).isEqualTo(taskId);
            assertThat(first.data().path("status").asText()).isEqualTo("pending");
            // the same JSON as GET /v1/tasks/{id}
            Map<String, Object> got = SubmitterTestSupport.asAlice().get("/v1/tasks/" + taskId).then().statusCode(200)
                    .extract().jsonPath().getMap("");
            assertThat(FlowJson.mapper().convertValue(first.data(), Map.class).keySet()).isEqualTo(got.keySet());

            Instant started = Instant.now();
            publish(taskId, TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED, started);
            await().atMost(WAIT).until(() -> reader.events.stream()
                    .anyMatch(e -> e.data().path("status").asText().equals("running")));
            assertThat(reader.ended).isNotDone();

            publish(taskId, TaskStatus.RUNNING, TaskStatus.COMPLETED, TransitionReason.workloadExit(0),
                    started.plusSeconds(5));
            await().atMost(WAIT).until(reader.ended::isDone);
            assertThat(reader.ended).isCompleted();
            Event last = reader.events.getLast();
            assertThat(last.data().path("status").asText()).isEqualTo("completed");
            assertThat(last.data().path("is_terminal").asBoolean()).isTrue();
            assertThat(reader.events).extracting(Event::name).containsOnly("task");
            // ids number the stream's events in order
            assertThat(reader.events).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates();

            // a stream opened on a finished task sends its state once and ends
            Reader late = open(taskId, SubmitterTestSupport.token());
            await().atMost(WAIT).until(late.ended::isDone);
            assertThat(late.events).hasSize(1);
            assertThat(late.events.getFirst().data().path("status").asText()).isEqualTo("completed");
        } finally {
            RunningTasks.cancelBid(taskId);
        }
    }

    @Test
    void anotherProjectsTaskIs404AndNoTokenIs401BeforeAnyStream() throws Exception {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("events-auth"))).then().statusCode(201).extract().path("task_id");
        try {
            // admin is scoped to the token's projects: an admin of another project is a stranger here
            String otherAdmin = DevJwt.shared().adminToken("root", List.of(SubmitterTestSupport.OTHER_PROJECT));
            for (Map.Entry<String, Integer> c : Map.of(bobToken(), 404, otherAdmin, 404).entrySet()) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                URI.create(base + "v1/tasks/" + taskId + "/events"))
                        .header("Accept", "text/event-stream").header("Authorization", "Bearer " + c.getKey()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(c.getValue());
                assertThat(response.headers().firstValue("Content-Type").orElse(""))
                        .startsWith("application/problem+json");
                assertThat(response.body()).contains("not found");
            }
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
                            URI.create(base + "v1/tasks/" + taskId + "/events"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(
                            URI.create(base + "v1/tasks/task-0000000000000000/events"))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer "
                            + SubmitterTestSupport.token()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(404);
        } finally {
            RunningTasks.cancelBid(taskId);
        }
    }

    @Test
    void aStreamEndsWhenItsTokenExpires() {
        String taskId = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("events-expiry"))).then().statusCode(201).extract().path("task_id");
        try {
            String shortLived = DevJwt.shared().token("alice", List.of(PROJECT), Set.of(), Duration.ofSeconds(3));
            Reader lasting = open(taskId, SubmitterTestSupport.token());
            Reader expiring = open(taskId, shortLived);
            await().atMost(WAIT).until(() -> !expiring.events.isEmpty());
            assertThat(expiring.status).isEqualTo(200);
            // the task is still pending: only the token's expiry ends this stream
            await().atMost(WAIT).until(expiring.ended::isDone);
            assertThat(expiring.ended).isCompleted();
            assertThat(lasting.ended).isNotDone();
            assertThat(lasting.events).isNotEmpty();
        } finally {
            RunningTasks.cancelBid(taskId);
        }
    }
}
