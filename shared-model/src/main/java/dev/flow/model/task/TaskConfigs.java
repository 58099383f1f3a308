package dev.flow.model.task;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.json.FlowJson;
import dev.flow.model.json.JsonLimits;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON input of a {@link TaskConfig}: what the REST API and CLI call on a user's document.
 *
 * <ul>
 *   <li>unknown fields are errors, each with the closest valid field name as suggestion ({@code instance_typ} →
 *       {@code instance_type}); all unknown fields are reported, not just the first;</li>
 *   <li>no type coercion: {@code "num_instances": "2"} or {@code "name": 5} are errors on that field;</li>
 *   <li>duplicate keys and trailing content are errors;</li>
 *   <li>then every validation rule is checked ({@link TaskConfigValidator}).</li>
 * </ul>
 * Everything found is thrown together as one {@link ValidationError}. A type error stops reading, so rules are only
 * checked on a document whose types are right.
 */
public final class TaskConfigs {

    private static final JsonMapper STRICT = FlowJson.strict();

    private TaskConfigs() {
    }

    /**
     * Parses and validates a JSON TaskConfig; absent fields take their defaults.
     *
     * @throws ValidationError listing every problem found
     */
    public static TaskConfig parse(String json) {
        if (json == null || json.isBlank()) {
            throw ValidationError.of(FieldError.of("", "the request body is empty; expected a JSON TaskConfig object"));
        }
        List<FieldError> errors = new ArrayList<>();
        ObjectReader reader = STRICT.readerFor(TaskConfig.class).withHandler(new UnknownFieldCollector(errors));
        TaskConfig config = null;
        try {
            config = reader.readValue(json);
            if (config == null) {
                errors.add(FieldError.of("", "expected a JSON TaskConfig object, got null"));
            }
        } catch (JsonProcessingException e) {
            errors.add(toFieldError(e));
        } catch (IOException e) {
            errors.add(FieldError.of("", "unreadable JSON: " + e.getMessage()));
        }
        if (config != null) {
            errors.addAll(TaskConfigValidator.validate(config));
        }
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        return config;
    }

    /**
     * Validates a TaskConfig built in Java.
     *
     * @throws ValidationError listing every rule it breaks
     */
    public static TaskConfig validate(TaskConfig config) {
        List<FieldError> errors = TaskConfigValidator.validate(config);
        if (!errors.isEmpty()) {
            throw ValidationError.of(errors);
        }
        return config;
    }

    private static FieldError toFieldError(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping)) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return FieldError.of("", "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
        String field = path(mapping.getPath());
        if (mapping instanceof JsonLimits.OutOfBounds bounds) {
            return FieldError.of(field, bounds.reason());
        }
        if (mapping instanceof ValueInstantiationException && mapping.getCause() != null) {
            return FieldError.of(field, mapping.getCause().getMessage());
        }
        if (mapping instanceof MismatchedInputException mismatch) {
            String expected = expected(mismatch.getTargetType());
            if (mismatch instanceof InvalidFormatException format && format.getValue() != null
                    && mismatch.getTargetType() != null && mismatch.getTargetType().isEnum()) {
                return FieldError.of(field, "`" + format.getValue() + "` is not allowed; " + expected);
            }
            if (expected != null) {
                return FieldError.of(field, expected);
            }
        }
        String message = mapping.getOriginalMessage();
        return FieldError.of(field, message == null ? "invalid value" : firstSentence(message));
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == String.class) {
            return "expected a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "expected a whole number";
        }
        if (type == BigDecimal.class) {
            return "expected a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "expected true or false";
        }
        if (type == Command.class) {
            return "expected a string or a list of strings";
        }
        if (type == VolumeInterface.class) {
            return "expected \"block\" or \"file\"";
        }
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "expected a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "expected an object of string values";
        }
        if (type.isRecord()) {
            return "expected an object";
        }
        return null;
    }

    private static String firstSentence(String message) {
        int cut = message.indexOf('\n');
        return cut > 0 ? message.substring(0, cut) : message;
    }

    /** Jackson's reference path → {@code volumes[0].name}, {@code env.KEY}. */
    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** Records every unknown field (with a "did you mean") and skips it, so the whole document gets reported at once. */
    private static final class UnknownFieldCollector extends DeserializationProblemHandler {
        private final List<FieldError> errors;

        UnknownFieldCollector(List<FieldError> errors) {
            this.errors = errors;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                             Object beanOrClass, String propertyName) throws IOException {
            List<String> known = deserializer.getKnownPropertyNames().stream().map(String::valueOf).toList();
            String field = currentPath(p);
            String closest = Suggestions.closestWithin(propertyName, known, Math.max(2, propertyName.length() / 3));
            String reason = "unknown field `" + propertyName + "`"
                    + (closest != null ? "; did you mean `" + closest + "`?" : "; known fields: " + String.join(", ", known));
            errors.add(new FieldError(field, reason, closest));
            p.skipChildren();
            return true;
        }

        private static String currentPath(JsonParser p) {
            JsonStreamContext ctx = p.getParsingContext();
            // on an object or array value the parser has already entered the value's own context
            if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
                ctx = ctx.getParent();
            }
            Deque<String> parts = new ArrayDeque<>();
            for (; ctx != null && !ctx.inRoot(); ctx = ctx.getParent()) {
                if (ctx.inArray()) {
                    parts.push("[" + ctx.getCurrentIndex() + "]");
                } else if (ctx.inObject() && ctx.getCurrentName() != null) {
                    parts.push("." + ctx.getCurrentName());
                }
            }
            String path = String.join("", parts);
            return path.startsWith(".") ? path.substring(1) : path;
        }
    }
}
