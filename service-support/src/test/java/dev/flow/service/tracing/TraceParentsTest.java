package dev.flow.service.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

class TraceParentsTest {

    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aTraceparentBecomesARemoteParentAndBackUnchanged() {
        Context parent = TraceParents.context(TRACEPARENT);
        assertThat(Span.fromContext(parent).getSpanContext().isRemote()).isTrue();
        assertThat(Span.fromContext(parent).getSpanContext().getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(TraceParents.of(parent)).contains(TRACEPARENT);
    }

    @Test
    void nothingOrGarbageIsNoTrace() {
        assertThat(TraceParents.of(TraceParents.context(null))).isEmpty();
        assertThat(TraceParents.of(TraceParents.context("not-a-traceparent"))).isEmpty();
        assertThat(TraceParents.of(Context.root())).isEmpty();
    }

    @Test
    void aMessageBecomesAChildOfTheTraceparentOnlyWhenThereIsOne() {
        Message<String> message = TraceParents.childOf(Message.of("x"), TRACEPARENT);
        assertThat(TracingMetadata.fromMessage(message)).hasValueSatisfying(tracing -> assertThat(
                TraceParents.of(tracing.getCurrentContext())).contains(TRACEPARENT));
        assertThat(TracingMetadata.fromMessage(TraceParents.childOf(Message.of("x"), null))).isEmpty();
    }

    @Test
    void theTaskTraceIsTheFirstOneItsRecordsCarried() {
        TaskTraces traces = new TaskTraces();
        ConsumerRecord<String, byte[]> first = new ConsumerRecord<>("t", 0, 0, "task-1", new byte[0]);
        first.headers().add(TraceParents.HEADER, TRACEPARENT.getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<String, byte[]> later = new ConsumerRecord<>("t", 0, 1, "task-1", new byte[0]);
        later.headers().add(TraceParents.HEADER,
                "00-11111111111111111111111111111111-2222222222222222-01".getBytes(StandardCharsets.UTF_8));
        traces.remember(first);
        traces.remember(later);
        traces.remember(new ConsumerRecord<>("t", 0, 2, "task-2", new byte[0]));
        assertThat(traces.of("task-1")).isEqualTo(TRACEPARENT);
        assertThat(traces.of("task-2")).isNull();
    }
}
