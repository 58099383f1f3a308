package dev.flow.submitter.tracing;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.Topics;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.tracing.TraceParents;
import dev.flow.submitter.PlatformKeyTestResource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One task's trace inside the submitter: the {@code POST /v1/tasks} server span, the Mithril bid call made under it
 * (a Vert.x Web Client span), and the lifecycle records that the outbox relay sends later from another context, whose
 * {@code traceparent} header must still name the POST's trace (the outbox row keeps it).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TaskTraceTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    InMemorySpanExporter spans;

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Test
    void theTasksTraceRunsFromThePostThroughTheBidToItsLifecycleRecords() {
        ConsumerTask<String, byte[]> lifecycle = kafka.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.TASK_LIFECYCLE);
        try {
            // the client starts the trace (W3C traceparent), so the test knows its id among all the spans
            String traceId = UUID.randomUUID().toString().replace("-", "");
            String taskId = asAlice().contentType("application/json")
                    .header(TraceParents.HEADER, "00-" + traceId + "-00f067aa0ba902b7-01")
                    .body("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                            .formatted(uniqueName("traced")))
                    .post("/v1/tasks").then().statusCode(201).extract().path("task_id");

            // the server span of the POST, in the client's trace
            await().atMost(WAIT).until(() -> postSpan(traceId), Optional::isPresent);

            // the bid was placed under the POST: a client span of the same trace that POSTs Mithril's bids
            await().atMost(WAIT).untilAsserted(() -> assertThat(spans.getFinishedSpanItems())
                    .filteredOn(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(traceId))
                    .extracting(s -> s.getAttributes().get(AttributeKey.stringKey("http.request.method")) + " "
                            + s.getAttributes().get(AttributeKey.stringKey("url.full")))
                    .anySatisfy(call -> assertThat(call).startsWith("POST ").contains("/v2/spot/bids")));

            // TaskSubmitted and BidPlaced, relayed from the outbox, carry the POST's trace
            await().atMost(WAIT).until(() -> ours(lifecycle, taskId).size() >= 2);
            List<ConsumerRecord<String, byte[]>> events = ours(lifecycle, taskId);
            assertThat(events).extracting(r -> CloudEventRecords.headersOf(r).get("ce_type"))
                    .containsExactly("dev.flow.task.submitted.v1", "dev.flow.task.bid.placed.v1");
            for (ConsumerRecord<String, byte[]> record : events) {
                String traceparent = TraceParents.fromHeaders(record.headers()).orElseThrow(
                        () -> new AssertionError("no traceparent on " + record));
                assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
                assertThat(traceparent.split("-")[1]).as("trace id of %s", traceparent).isEqualTo(traceId);
            }
        } finally {
            lifecycle.stop();
        }
    }

    /** The finished server span of the POST /v1/tasks of this trace. */
    private Optional<SpanData> postSpan(String traceId) {
        return spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER)
                .filter(s -> "POST".equals(s.getAttributes().get(AttributeKey.stringKey("http.request.method"))))
                .filter(s -> "/v1/tasks".equals(s.getAttributes().get(AttributeKey.stringKey("http.route"))))
                .findFirst();
    }

    private static List<ConsumerRecord<String, byte[]>> ours(ConsumerTask<String, byte[]> lifecycle, String taskId) {
        return lifecycle.getRecords().stream().filter(r -> taskId.equals(r.key()))
                .filter(r -> "/flow/submitter-service".equals(CloudEventRecords.headersOf(r).get("ce_source")))
                .toList();
    }
}
