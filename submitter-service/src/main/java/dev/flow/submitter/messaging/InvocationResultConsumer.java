package dev.flow.submitter.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.json.FlowJson;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.messaging.DeadLetterQueue;
import dev.flow.submitter.service.InvocationRunner;
import dev.flow.submitter.service.InvocationStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Reads invocation results back from the tasks' output: {@code flow.task.logs} ({@code LogLine}s, published by the
 * log-streamer) with a consumer group of its own ({@code flow-submitter-service-invocations}), so it neither
 * competes with nor delays the submitter's other consumers. Only a node-0 stdout line starting with
 * {@link InvocationRunner#MARKER} is looked at further; the first one of an invocation's task is stored, later or
 * redelivered ones change nothing (idempotent by state). Never fails the stream: an unreadable record is parked on the
 * dead-letter topic ({@link DeadLetterQueue}), a database away is retried with backoff until it is back (a result
 * skipped then would leave its invocation pending for ever), and a failure the line itself causes parks it.
 */
@ApplicationScoped
public class InvocationResultConsumer {

    private static final Logger LOG = Logger.getLogger(InvocationResultConsumer.class);
    private static final String PREFIX = InvocationRunner.MARKER + " ";

    private final InvocationStore store;
    private final DeadLetterQueue deadLetters;

    public InvocationResultConsumer(InvocationStore store, DeadLetterQueue deadLetters) {
        this.store = store;
        this.deadLetters = deadLetters;
    }

    @Incoming("invocation-logs")
    public Uni<Void> onLogLine(ConsumerRecord<String, byte[]> record) {
        Optional<FlowEvent> event;
        try {
            event = CloudEventRecords.fromRecord(record);
        } catch (RuntimeException e) {
            return deadLetters.park(record, "undecodable", e);
        }
        if (event.isEmpty() || !(event.get() instanceof LogLine line) || line.node() != 0
                || line.stream() != LogStream.STDOUT || !line.text().startsWith(PREFIX)) {
            return Uni.createFrom().voidItem();
        }
        Outcome outcome = Outcome.parse(line.text().substring(PREFIX.length()));
        return deadLetters.handle(record, "the invocation result of " + line.taskId(),
                () -> store.recordOutcome(line.taskId(), outcome.succeeded(), outcome.resultJson(),
                                outcome.errorJson(), line.ts())
                        .invoke(recorded -> {
                            if (recorded) {
                                LOG.infof("invocation of task %s %s", line.taskId(),
                                        outcome.succeeded() ? "succeeded" : "failed");
                            }
                        })
                        .replaceWithVoid());
    }

    /** The runner's JSON: {@code {"ok": true, "result": …}} or {@code {"ok": false, "error": {…}}}. */
    record Outcome(boolean succeeded, String resultJson, String errorJson) {

        static Outcome parse(String json) {
            try {
                JsonNode node = FlowJson.mapper().readTree(json);
                if (node != null && node.path("ok").isBoolean()) {
                    if (node.path("ok").booleanValue()) {
                        JsonNode result = node.get("result");
                        return new Outcome(true, result == null ? "null" : result.toString(), null);
                    }
                    if (node.path("error").isObject()) {
                        return new Outcome(false, null, node.get("error").toString());
                    }
                }
            } catch (java.io.IOException e) {
                // reported below as what it is
            }
            return new Outcome(false, null, FlowJson.mapper().createObjectNode().put("type", "MalformedResult")
                    .put("message", "the runner's result line is not the expected JSON").putNull("traceback")
                    .toString());
        }
    }
}
