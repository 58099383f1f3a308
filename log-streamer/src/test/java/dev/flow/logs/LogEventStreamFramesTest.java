package dev.flow.logs;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.LiveLogHub;
import dev.flow.logs.service.LogViews;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.event.Topics;
import dev.flow.model.status.TaskStatus;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.status;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.endsWith;

/**
 * The event stream's bytes on the wire, read from a plain socket: each frame exactly as RESTEasy's SSE writer wrote
 * it before the view wrote its own batches ({@code content-type}, {@code id}, {@code event}, {@code data} fields, no
 * space after the colon), for a line, a pending task's status, the end, a resume with {@code Last-Event-ID} and a
 * gap; and a reader that stops reading gets a gap and then every line exactly once. Real Kafka, real HTTP.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
class LogEventStreamFramesTest {

    private static final String PROJECT = "flow-dev";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern ID = Pattern.compile("(?m)^id:(\\d+)$");

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    LogViews views;

    @Inject
    LiveLogHub hub;

    @TestHTTPResource("/")
    URI base;

    private final String alice = DevJwt.shared().token("alice", List.of(PROJECT));

    @Test
    void framesOfALineAStatusTheEndAndAResumeAreByteExact() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.PENDING, List.of()));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path).then().statusCode(409));

        // a pending task without lines: one status event, then the end of the stream (follow=false)
        try (RawEventStream sse = open(path + "?follow=false", null)) {
            assertThat(sse.status).isEqualTo(200);
            assertThat(sse.headers.get("content-type")).startsWith("text/event-stream");
            sse.startReading();
            await().atMost(WAIT).untilTrue(sse.ended);
            assertThat(sse.body()).isEqualTo("content-type:application/json\nevent:status\n"
                    + "data:{\"type\":\"status\",\"task_id\":\"" + taskId + "\",\"status\":\"pending\","
                    + "\"message\":\"task is pending: not running yet\"}\n\n");
        }

        publish(kafka, status(taskId, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, List.of()));
        Instant ts = Instant.parse("2026-12-04T12:00:00.250Z");
        publish(kafka, new LogLine(taskId, 0, 0, ts, LogStream.STDOUT, "first \"quoted\" line"));
        publish(kafka, new LogLine(taskId, 0, 1, ts.plusSeconds(1), LogStream.STDERR, "second line é ✓"));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path)
                .then().statusCode(200).body(endsWith("second line é ✓\n")));

        // two lines: id = token, no event name, data = the WebSocket's JSON message
        List<Long> tokens;
        try (RawEventStream sse = open(path + "?follow=false&tail=2", null)) {
            sse.startReading();
            await().atMost(WAIT).untilTrue(sse.ended);
            tokens = ids(sse.body());
            assertThat(tokens).hasSize(2);
            assertThat(sse.body()).isEqualTo(
                    lineFrame(taskId, 0, "2026-12-04T12:00:00.250Z", "stdout", "first \\\"quoted\\\" line", tokens.get(0))
                    + lineFrame(taskId, 1, "2026-12-04T12:00:01.250Z", "stderr", "second line é ✓", tokens.get(1)));
        }

        // Last-Event-ID: the frame right after that token, the same bytes
        try (RawEventStream sse = open(path + "?follow=false&tail=5", Long.toString(tokens.get(0)))) {
            sse.startReading();
            await().atMost(WAIT).untilTrue(sse.ended);
            assertThat(sse.body()).isEqualTo(
                    lineFrame(taskId, 1, "2026-12-04T12:00:01.250Z", "stderr", "second line é ✓", tokens.get(1)));
        }

        // following: the tail, then the task ends: the end event, and the server ends the stream
        try (RawEventStream sse = open(path + "?tail=1", null)) {
            sse.startReading();
            await().atMost(WAIT).until(() -> sse.frames().size() == 1);
            publish(kafka, status(taskId, PROJECT, TaskStatus.RUNNING, TaskStatus.COMPLETED, List.of()));
            await().atMost(WAIT).untilTrue(sse.ended);
            List<String> frames = sse.frames();
            assertThat(frames).hasSize(2);
            assertThat(sse.body()).isEqualTo(String.join("", frames)); // nothing outside the frames
            assertThat(frames.get(0)).isEqualTo(
                    lineFrame(taskId, 1, "2026-12-04T12:00:01.250Z", "stderr", "second line é ✓", tokens.get(1)));
            assertThat(frames.get(1)).startsWith("content-type:application/json\nevent:end\n"
                    + "data:{\"type\":\"end\",\"task_id\":\"" + taskId + "\",\"status\":\"completed\",").endsWith("}\n\n");
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0);
    }

    @Test
    void aReaderThatStopsReadingGetsAGapThenEveryLineOnce() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.RUNNING, List.of()));
        publishLines(taskId, 0, 1, 0);
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path)
                .then().statusCode(200).body(endsWith("line-0\n")));

        int total = 5000;
        try (RawEventStream slow = open(path + "?tail=1", null);
             RawEventStream fast = RawEventStream.open(base, path + "?tail=1", alice, null, 1 << 20)) {
            assertThat(slow.status).isEqualTo(200);
            fast.startReading();
            await().atMost(WAIT).until(() -> hub.subscriptions() == 2); // both follow live
            // ~20 MB: far more than the TCP buffers of a reader that does not read (4 MB at most here) plus its live
            // buffer (1000 lines, 4 MB)
            for (int from = 1; from < total; from += 500) {
                publishLines(taskId, from, Math.min(500, total - from), 4000);
            }
            // the fast reader has the last line: the hub has offered every line to the slow one too (same dispatch)
            await().atMost(WAIT).until(() -> fast.body().contains("\"seq\":" + (total - 1) + ","));
            assertThat(fast.body()).doesNotContain("event:gap");

            slow.startReading();
            await().atMost(Duration.ofSeconds(60)).until(() -> slow.body().contains("\"seq\":" + (total - 1) + ","));
            await().atMost(WAIT).until(() -> slow.body().endsWith("\n\n"));
            List<String> frames = slow.frames();
            assertThat(slow.body()).isEqualTo(String.join("", frames));
            List<Long> seqs = new ArrayList<>();
            int gapAt = -1;
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i).contains("\nevent:gap\n")) {
                    assertThat(gapAt).as("one gap marker").isEqualTo(-1);
                    gapAt = i;
                } else {
                    seqs.add(number(frames.get(i), "\"seq\":"));
                }
            }
            // nothing lost, nothing twice
            assertThat(seqs).containsExactlyElementsOf(LongStream.range(0, total).boxed().toList());
            assertThat(gapAt).as("a gap marker").isGreaterThan(0);
            String gap = frames.get(gapAt);
            long token = ids(gap).getFirst();
            long dropped = number(gap, "\"dropped\":");
            assertThat(dropped).isPositive();
            assertThat(gap).isEqualTo("content-type:application/json\nid:" + token + "\nevent:gap\n"
                    + "data:{\"type\":\"gap\",\"task_id\":\"" + taskId + "\",\"token\":\"" + token + "\",\"dropped\":"
                    + dropped + ",\"message\":\"viewer too slow: " + dropped + " buffered lines dropped; continuing "
                    + "from Kafka after token " + token + "\"}\n\n");
            // the gap's id lies between the lines around it: an EventSource reconnecting there misses nothing
            assertThat(ids(frames.get(gapAt - 1)).getFirst()).isLessThanOrEqualTo(token);
            assertThat(ids(frames.get(gapAt + 1)).getFirst()).isGreaterThan(token);
        }
        await().atMost(WAIT).until(() -> views.openViews() == 0);
    }

    @Test
    void refusalsAreProblemsBeforeAnyEvent() throws Exception {
        String taskId = newTaskId();
        String path = "/v1/tasks/" + taskId + "/logs";
        publish(kafka, status(taskId, PROJECT, null, TaskStatus.RUNNING, List.of()));
        publishLines(taskId, 0, 1, 0);
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(alice).get(path).then().statusCode(200));
        String stranger = DevJwt.shared().token("mallory", List.of("flow-other"));
        assertProblem(RawEventStream.open(base, path, null, null, 65536), 401);
        assertProblem(RawEventStream.open(base, path, stranger, null, 65536), 404);
        assertProblem(open("/v1/tasks/" + newTaskId() + "/logs", null), 404);
        assertProblem(open(path + "?tail=-1", null), 422);
        assertProblem(open(path + "?node=7", null), 422);
        assertProblem(open(path, "not-a-token"), 422);
        assertThat(views.openViews()).isZero();
    }

    private void assertProblem(RawEventStream response, int status) throws Exception {
        try (response) {
            assertThat(response.status).isEqualTo(status);
            assertThat(response.headers.get("content-type")).doesNotStartWith("text/event-stream");
            if (status != 401) {
                assertThat(response.headers.get("content-type")).startsWith("application/problem+json");
            }
            response.startReading();
            await().atMost(WAIT).untilTrue(response.ended);
            assertThat(response.body()).doesNotContain("data:");
        }
    }

    private RawEventStream open(String pathAndQuery, String lastEventId) throws Exception {
        return RawEventStream.open(base, pathAndQuery, alice, lastEventId, 16 * 1024);
    }

    private static String lineFrame(String taskId, long seq, String ts, String stream, String jsonText, long token) {
        return "content-type:application/json\nid:" + token + "\ndata:{\"type\":\"line\",\"task_id\":\"" + taskId
                + "\",\"node\":0,\"seq\":" + seq + ",\"ts\":\"" + ts + "\",\"stream\":\"" + stream + "\",\"text\":\""
                + jsonText + "\",\"token\":\"" + token + "\"}\n\n";
    }

    private static List<Long> ids(String text) {
        List<Long> ids = new ArrayList<>();
        Matcher matcher = ID.matcher(text);
        while (matcher.find()) {
            ids.add(Long.parseLong(matcher.group(1)));
        }
        return ids;
    }

    private static long number(String text, String prefix) {
        int at = text.indexOf(prefix) + prefix.length();
        int end = at;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return Long.parseLong(text, at, end, 10);
    }

    /** {@code count} lines of {@code size} characters from seq {@code from}, in one batch of records. */
    private void publishLines(String taskId, int from, int count, int size) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int seq = from; seq < from + count; seq++) {
            String text = "line-" + seq;
            if (text.length() < size) {
                text = text + " " + "x".repeat(size - text.length() - 1);
            }
            records.add(CloudEventRecords.toProducerRecord(Topics.TASK_LOGS,
                    new LogLine(taskId, 0, seq, Instant.now(), LogStream.STDOUT, text), "/flow/test",
                    UUID.randomUUID().toString()));
        }
        kafka.produce(String.class, byte[].class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
    }
}
