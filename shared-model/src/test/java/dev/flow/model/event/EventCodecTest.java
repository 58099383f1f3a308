package dev.flow.model.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flow.model.json.FlowJson;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.VolumeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventCodecTest {

    private static final Instant T0 = Instant.parse("2026-11-29T18:31:11.123456Z");

    /** Every concrete event class, found through the sealed hierarchy: a new event is tested without touching this file. */
    static Stream<Class<? extends FlowEvent>> eventClasses() {
        return EventCodec.eventClasses().stream();
    }

    /** A sample of any event, every component non-null, built from the record's components. */
    static FlowEvent sample(Class<? extends FlowEvent> c) {
        return (FlowEvent) sampleRecord(c);
    }

    private static Object sampleRecord(Class<?> c) {
        RecordComponent[] components = c.getRecordComponents();
        Object[] args = Arrays.stream(components).map(rc -> sampleValue(rc.getName(), rc.getGenericType())).toArray();
        try {
            return c.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType)
                    .toArray(Class<?>[]::new)).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot build a sample of " + c, e);
        }
    }

    private static Object sampleValue(String name, Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return List.of(sampleValue(name, p.getActualTypeArguments()[0]));
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return name + "-ü\"\n";
        }
        if (c == int.class || c == Integer.class) {
            return name.hashCode() & 0xff;
        }
        if (c == long.class || c == Long.class) {
            return (long) Integer.MAX_VALUE + 7;
        }
        if (c == boolean.class) {
            return true;
        }
        if (c == Instant.class) {
            return T0.plusSeconds(name.length());
        }
        if (c == Money.class) {
            return Money.parse("$12.0345");
        }
        if (c == TaskStatus.class) {
            return name.equals("from") ? TaskStatus.PENDING : TaskStatus.RUNNING;
        }
        if (c == TransitionReason.class) {
            return TransitionReason.workloadExit(137);
        }
        if (c == TaskConfig.class) {
            return TaskConfig.builder().name("train").command(List.of("python", "train.py")).instanceType("4xa100")
                    .volumes(List.of(VolumeSpec.of("data"))).env(Map.of("WANDB_API_KEY", "secret")).build();
        }
        if (c.isEnum()) {
            Object[] values = c.getEnumConstants();
            return values[values.length - 1];
        }
        if (c.isRecord()) {
            return sampleRecord(c);
        }
        throw new AssertionError("no sample for component " + name + " of type " + type + ": extend sampleValue");
    }

    @ParameterizedTest
    @MethodSource("eventClasses")
    void everyEventRoundTripsThroughJson(Class<? extends FlowEvent> c) {
        FlowEvent event = sample(c);
        String type = EventCodec.typeOf(event);

        byte[] data = EventCodec.encode(event);

        assertThat(EventCodec.decode(type, data)).contains(event);
        assertThat(event.type()).isEqualTo(type);
    }

    @ParameterizedTest
    @MethodSource("eventClasses")
    void everyEventHasAVersionedTypeAKeyAndATopic(Class<? extends FlowEvent> c) {
        FlowEvent event = sample(c);

        assertThat(EventCodec.typeOf(c)).matches("^dev\\.flow\\.[a-z]+(\\.[a-z]+)+\\.v\\d+$");
        assertThat(event.key()).isNotBlank();
        assertThat(event.time()).isNotNull();
        assertThat(Topics.ALL).contains(event.topic());
    }

    @ParameterizedTest
    @MethodSource("eventClasses")
    void unknownFieldsAreIgnored(Class<? extends FlowEvent> c) throws Exception {
        FlowEvent event = sample(c);
        ObjectNode json = (ObjectNode) FlowJson.mapper().readTree(EventCodec.encode(event));
        json.put("fieldFromTheFuture", "x");
        json.putObject("nestedFromTheFuture").put("a", 1);

        assertThat(EventCodec.decode(event.type(), FlowJson.mapper().writeValueAsBytes(json))).contains(event);
    }

    @ParameterizedTest
    @MethodSource("eventClasses")
    void headersAreCloudEventsBinaryMode(Class<? extends FlowEvent> c) {
        FlowEvent event = sample(c);

        Map<String, String> h = EventCodec.headers(event, "/flow/test", "id-1");

        assertThat(h).containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_id", "id-1")
                .containsEntry("ce_source", "/flow/test")
                .containsEntry("ce_type", event.type())
                .containsEntry("ce_time", event.time().toString())
                .containsEntry("ce_subject", event.key())
                .containsEntry("content-type", "application/json")
                .hasSize(7);
        assertThat(EventCodec.decode(h, EventCodec.encode(event))).contains(event);
    }

    @Test
    void everyTopicHasEvents() {
        assertThat(EventCodec.eventClasses().stream().map(c -> sample(c).topic()).distinct())
                .containsExactlyInAnyOrderElementsOf(Topics.ALL);
        assertThat(EventCodec.eventClasses()).hasSize(14);
    }

    @Test
    void architectureTypeNames() {
        assertThat(EventCodec.typeOf(TaskStatusChanged.class)).isEqualTo("dev.flow.task.status.changed.v1");
        assertThat(EventCodec.typeOf(TaskSubmitted.class)).isEqualTo("dev.flow.task.submitted.v1");
    }

    @Test
    void unknownTypeDecodesToEmpty() {
        byte[] data = "{\"taskId\":\"t\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(EventCodec.decode("dev.flow.task.teleported.v1", data)).isEmpty();
        assertThat(EventCodec.decode("dev.flow.task.submitted.v2", data)).isEmpty();
        assertThat(EventCodec.decode((String) null, data)).isEmpty();
        assertThat(EventCodec.decode(Map.of(), data)).isEmpty();
    }

    @Test
    void corruptDataOfAKnownTypeIsAnError() {
        assertThatThrownBy(() -> EventCodec.decode("dev.flow.task.log.line.v1", "{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dev.flow.task.log.line.v1");
        assertThatThrownBy(() -> EventCodec.decode("dev.flow.task.log.line.v1", "null".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        // a required field is missing
        assertThatThrownBy(() -> EventCodec.decode("dev.flow.task.log.line.v1", "{\"node\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskId");
    }

    @Test
    void jsonIsCamelCaseWithDollarStringsAndIsoInstants() {
        TaskStatusChanged event = new TaskStatusChanged("bid_1", "proj_1", TaskStatus.PENDING, TaskStatus.RUNNING,
                TransitionReason.ALLOCATED, T0, T0.plusSeconds(5),
                List.of(new InstanceInfo("inst_1", 0, "STATUS_RUNNING", "10.0.0.1", 22)),
                Money.parse("$25.60"), 1, "bid_1", "us-central1-b", "8xh100", 0, null);

        String json = new String(EventCodec.encode(event), StandardCharsets.UTF_8);

        assertThat(json).contains("\"taskId\":\"bid_1\"", "\"from\":\"pending\"", "\"to\":\"running\"",
                "\"reason\":\"ALLOCATED\"", "\"at\":\"2026-11-29T18:31:11.123456Z\"", "\"pricePerHour\":\"$25.60\"",
                "\"sshHost\":\"10.0.0.1\"", "\"observedAt\":\"2026-11-29T18:31:16.123456Z\"");
        assertThat(json).doesNotContain("\"key\"", "\"topic\"", "\"type\"", "\"time\"");
    }

    @Test
    void taskSubmittedNeverCarriesEnvValues() {
        TaskSubmitted event = (TaskSubmitted) sample(TaskSubmitted.class);
        String json = new String(EventCodec.encode(event), StandardCharsets.UTF_8);

        assertThat(event.config().env()).containsExactly(Map.entry("WANDB_API_KEY", "***"));
        assertThat(json).contains("WANDB_API_KEY").doesNotContain("secret")
                .contains("\"instance_type\":\"4xa100\"", "\"command\":[\"python\",\"train.py\"]");
    }

    @Test
    void logLineTimeIsItsTimestamp() {
        LogLine line = new LogLine("bid_1", 0, 1, T0, LogStream.STDERR, "oops");
        assertThat(line.time()).isEqualTo(T0);
        assertThat(new String(EventCodec.encode(line), StandardCharsets.UTF_8)).contains("\"stream\":\"stderr\"");
    }
}
