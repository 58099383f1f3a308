package dev.flow.model.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flow.model.json.FlowJson;
import dev.flow.model.money.Money;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.Command;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/asyncapi.yaml} is what platform teams code their consumers from, so it must say exactly what the event
 * records put on the wire. This test derives the document from the records (Jackson's own view of their JSON, the
 * CloudEvents type of each, the topic and key of its family) and fails when the committed file differs. After
 * changing an event: {@code ./mvnw -pl shared-model test -Dtest=AsyncApiDocumentTest -Dasyncapi.write=true}.
 */
class AsyncApiDocumentTest {

    private static final ObjectMapper JSON = FlowJson.mapper();
    private static final String FILE = "docs/asyncapi.yaml";

    /** The topics in ARCHITECTURE.md's order: family, channel id, what the key is, what the topic is for. */
    private record Family(Class<? extends FlowEvent> family, String topic, String channelId, String key,
                          String description) {
    }

    private static final List<Family> FAMILIES = List.of(
            new Family(TaskLifecycleEvent.class, Topics.TASK_LIFECYCLE, "taskLifecycle", "the task id",
                    "Facts about intent and workload: a task was submitted, its bid placed, a cancel asked for, its "
                            + "workload exited, it was resubmitted. Produced by submitter-service and log-streamer."),
            new Family(TaskStatusEvent.class, Topics.TASK_STATUS, "taskStatus", "the task id",
                    "Every status change of every task, in order per task: from, to, reason, event time, nodes, price. "
                            + "Append-only history, produced by status-poller."),
            new Family(TaskStateEvent.class, Topics.TASK_STATE, "taskState", "the task id",
                    "The latest full snapshot of each task. Compacted: read it from the beginning to rebuild state. "
                            + "Produced by status-poller."),
            new Family(TaskCommand.class, Topics.TASK_COMMANDS, "taskCommands", "the task id",
                    "Requests to submitter-service, the only service that changes Mithril: stop a task, resubmit it. "
                            + "Produced by status-poller and cost-accountant."),
            new Family(TaskLogEvent.class, Topics.TASK_LOGS, "taskLogs", "the task id",
                    "Every log line of every node, in order per node (seq). Retention-bounded; the Kafka offset is "
                            + "the resume token. Produced by log-streamer."),
            new Family(CostEvent.class, Topics.COST_UPDATES, "costUpdates", "the task id, or the project for "
                    + "project totals", "Running cost of tasks and projects. Produced by cost-accountant."),
            new Family(BudgetEvent.class, Topics.BUDGET_ALERTS, "budgetAlerts", "the project",
                    "Budget thresholds crossed (actual or forecast spend), budgets exhausted. Produced by "
                            + "cost-accountant."));

    @Test
    void theCommittedDocumentDescribesTheEventRecords() throws IOException {
        String expected = render(document());
        Path file = repoRoot().resolve(FILE);
        if (Boolean.getBoolean("asyncapi.write")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, expected, StandardCharsets.UTF_8);
        }
        assertThat(file).as("%s exists", FILE).exists();
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .as("%s is out of date with the event records: regenerate it with "
                        + "./mvnw -pl shared-model test -Dtest=AsyncApiDocumentTest -Dasyncapi.write=true", FILE)
                .isEqualTo(expected);
    }

    @Test
    void everyEventHasItsTypeOnTheChannelOfItsTopic() {
        Map<String, Object> doc = document();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> channels = (Map<String, Map<String, Object>>) doc.get("channels");
        JsonNode tree = JSON.valueToTree(doc);
        List<Class<? extends FlowEvent>> documented = new ArrayList<>();
        for (Family family : FAMILIES) {
            assertThat(channels.get(family.channelId()).get("address")).isEqualTo(family.topic());
            for (Class<? extends FlowEvent> event : leaves(family.family())) {
                documented.add(event);
                String name = event.getSimpleName();
                assertThat(tree.at("/channels/" + family.channelId() + "/messages/" + name + "/$ref").asText())
                        .isEqualTo("#/components/messages/" + name);
                assertThat(tree.at("/components/messages/" + name + "/headers/properties/ce_type/const").asText())
                        .isEqualTo(EventCodec.typeOf(event));
            }
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(EventCodec.eventClasses());
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("asyncapi", "3.0.0");
        doc.put("info", map(
                "title", "Flow Platform events",
                "version", "1.0.0",
                "description", """
                        Every fact of the Flow Platform is a Kafka event: a binary-mode CloudEvent (`ce_*` headers, \
                        JSON data as the record value), keyed so that all events of one task (or one project, for \
                        budgets) stay in order on one partition. Event types are versioned \
                        (`dev.flow.task.status.changed.v1`); a consumer ignores types and fields it does not know. \
                        Payloads never carry secrets: env values, API keys and private keys stay out. \
                        GENERATED from the event records by shared-model's AsyncApiDocumentTest: do not edit by hand."""));
        doc.put("defaultContentType", EventCodec.CONTENT_TYPE);
        doc.put("servers", map("local", map(
                "host", "127.0.0.1:9092",
                "protocol", "kafka",
                "description", "The broker of the local run (./flow-local).")));

        Map<String, Object> channels = new LinkedHashMap<>();
        Map<String, Object> operations = new LinkedHashMap<>();
        Map<String, Object> messages = new LinkedHashMap<>();
        Map<String, Object> schemas = new TreeMap<>();
        for (Family family : FAMILIES) {
            Map<String, Object> channelMessages = new LinkedHashMap<>();
            List<Object> operationMessages = new ArrayList<>();
            for (Class<? extends FlowEvent> event : leaves(family.family())) {
                String name = event.getSimpleName();
                channelMessages.put(name, map("$ref", "#/components/messages/" + name));
                operationMessages.add(map("$ref", "#/channels/" + family.channelId() + "/messages/" + name));
                messages.put(name, message(event, family));
                schema(JSON.constructType(event), schemas);
            }
            channels.put(family.channelId(), map(
                    "address", family.topic(),
                    "description", family.description() + " Key: " + family.key() + ".",
                    "messages", channelMessages));
            operations.put("receive" + Character.toUpperCase(family.channelId().charAt(0))
                    + family.channelId().substring(1), map(
                    "action", "receive",
                    "channel", map("$ref", "#/channels/" + family.channelId()),
                    "messages", operationMessages));
        }
        doc.put("channels", channels);
        doc.put("operations", operations);
        doc.put("components", map("messages", messages, "schemas", schemas));
        return doc;
    }

    private static Map<String, Object> message(Class<? extends FlowEvent> event, Family family) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("ce_specversion", map("type", "string", "const", EventCodec.SPEC_VERSION));
        headers.put("ce_type", map("type", "string", "const", EventCodec.typeOf(event)));
        headers.put("ce_id", map("type", "string", "description", "unique per event and source"));
        headers.put("ce_source", map("type", "string", "description", "the producing service, e.g. /flow/status-poller"));
        headers.put("ce_time", map("type", "string", "format", "date-time", "description", "the event time"));
        headers.put("ce_subject", map("type", "string", "description", "the record key: " + family.key()));
        headers.put("content-type", map("type", "string", "const", EventCodec.CONTENT_TYPE));
        return map(
                "name", event.getSimpleName(),
                "title", EventCodec.typeOf(event),
                "contentType", EventCodec.CONTENT_TYPE,
                "headers", map("type", "object", "required", new ArrayList<>(headers.keySet()), "properties", headers),
                "payload", map("$ref", "#/components/schemas/" + event.getSimpleName()),
                "bindings", map("kafka", map("key", map("type", "string", "description", family.key()))));
    }

    /** The JSON Schema of a type as Jackson writes it; named types land in {@code schemas} and are referenced. */
    private static Map<String, Object> schema(JavaType type, Map<String, Object> schemas) {
        Class<?> raw = type.getRawClass();
        if (raw == String.class) {
            return map("type", "string");
        }
        if (raw == Instant.class) {
            return map("type", "string", "format", "date-time");
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
                || raw == short.class || raw == Short.class) {
            return map("type", "integer");
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return map("type", "boolean");
        }
        if (Number.class.isAssignableFrom(raw) || raw == double.class || raw == float.class) {
            return map("type", "number");
        }
        if (raw == Money.class) {
            return map("type", "string", "pattern", "^-?\\$[0-9]+(\\.[0-9]+)?$",
                    "description", "US dollars, e.g. \"$25.60\"", "examples", List.of("$25.60"));
        }
        if (raw == TransitionReason.class) {
            List<String> kinds = new ArrayList<>();
            for (TransitionReason.Kind kind : TransitionReason.Kind.values()) {
                kinds.add(kind.name());
            }
            return map("type", "string", "description", "one of " + String.join(", ", kinds)
                    + "; WORKLOAD_EXIT carries the exit code", "examples", List.of("ALLOCATED", "WORKLOAD_EXIT(137)"));
        }
        if (raw == Command.class) {
            return map("oneOf", List.of(map("type", "string", "description", "a shell command"),
                    map("type", "array", "items", map("type", "string"), "description", "an argv list")));
        }
        if (raw.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : raw.getEnumConstants()) {
                values.add(JSON.valueToTree(constant).asText());
            }
            return map("type", "string", "enum", values);
        }
        if (Collection.class.isAssignableFrom(raw)) {
            return map("type", "array", "items", schema(type.getContentType(), schemas));
        }
        if (Map.class.isAssignableFrom(raw)) {
            return map("type", "object", "additionalProperties", schema(type.getContentType(), schemas));
        }
        String name = raw.getSimpleName();
        if (!schemas.containsKey(name)) {
            schemas.put(name, Map.of()); // placeholder: recursive types terminate
            BeanDescription bean = JSON.getSerializationConfig().introspect(type);
            Map<String, Object> properties = new LinkedHashMap<>();
            for (BeanPropertyDefinition property : bean.findProperties()) {
                if (property.couldSerialize()) {
                    properties.put(property.getName(), schema(property.getPrimaryType(), schemas));
                }
            }
            schemas.put(name, map("type", "object", "properties", properties));
        }
        return map("$ref", "#/components/schemas/" + name);
    }

    @SuppressWarnings("unchecked")
    private static List<Class<? extends FlowEvent>> leaves(Class<?> sealed) {
        List<Class<? extends FlowEvent>> out = new ArrayList<>();
        for (Class<?> permitted : sealed.getPermittedSubclasses()) {
            if (permitted.isInterface() || Modifier.isAbstract(permitted.getModifiers())) {
                out.addAll(leaves(permitted));
            } else {
                out.add((Class<? extends FlowEvent>) permitted);
            }
        }
        return out;
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String render(Map<String, Object> doc) throws IOException {
        YAMLMapper yaml = new YAMLMapper(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .disable(YAMLGenerator.Feature.SPLIT_LINES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .build());
        return yaml.writeValueAsString(doc);
    }

    private static Path repoRoot() {
        return Path.of(System.getProperty("flow.repo.root", "..")).toAbsolutePath().normalize();
    }
}
