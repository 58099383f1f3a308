package dev.flow.submitter.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.json.FlowJson;
import dev.flow.model.json.JsonLimits;

import java.util.List;

/**
 * Reads a request body strictly (unknown fields, wrong JSON types, trailing tokens → a 422 naming the field):
 * the one reader for the volume, exec and invocation bodies.
 */
final class StrictJson {

    /** The one strict reader of shared-model: the same rules and {@code JsonLimits} as a TaskConfig. */
    private static final JsonMapper STRICT = FlowJson.strict();

    private StrictJson() {
    }

    /** "field\nreason" of the first number out of {@code JsonLimits}, or null. Depth is bounded by the reader. */
    private static String outOfBounds(JsonNode node, String path) {
        if (node.isNumber()) {
            String why = JsonLimits.outOfBounds(node.decimalValue());
            return why == null ? null : (path.isEmpty() ? "body" : path) + "\nnumber " + why;
        }
        if (node.isContainerNode()) {
            var fields = node.properties().iterator();
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    String found = outOfBounds(node.get(i), path + "[" + i + "]");
                    if (found != null) {
                        return found;
                    }
                }
            }
            while (fields.hasNext()) {
                var field = fields.next();
                String found = outOfBounds(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey());
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    static <T> T read(String json, Class<T> type, List<String> fields, String example) {
        if (json == null || json.isBlank()) {
            throw ValidationError.of(FieldError.of("", "the request body is empty; expected " + example));
        }
        ObjectReader reader = STRICT.readerFor(type);
        T value;
        try {
            // free-form members (an invocation's args, kwargs, task fields) are JsonNodes, which Jackson fills without
            // the bounded BigDecimal reader: every number of the document is checked here first
            String outOfBounds = outOfBounds(STRICT.readTree(json), "");
            if (outOfBounds != null) {
                throw ValidationError.of(FieldError.of(outOfBounds.substring(0, outOfBounds.indexOf('\n')),
                        outOfBounds.substring(outOfBounds.indexOf('\n') + 1)));
            }
            value = reader.readValue(json);
        } catch (UnrecognizedPropertyException e) {
            throw ValidationError.of(new FieldError(e.getPropertyName(), "unknown field",
                    Suggestions.closestWithin(e.getPropertyName(), fields, 4)));
        } catch (JsonLimits.OutOfBounds e) {
            String field = e.getPath().isEmpty() ? "" : e.getPath().getLast().getFieldName();
            throw ValidationError.of(FieldError.of(field == null ? "" : field, e.reason()));
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? "" : e.getPath().getLast().getFieldName();
            throw ValidationError.of(FieldError.of(field == null ? "" : field, "has the wrong JSON type"));
        } catch (JsonProcessingException e) {
            throw ValidationError.of(FieldError.of("", "malformed JSON: " + e.getOriginalMessage()));
        }
        if (value == null) {
            throw ValidationError.of(FieldError.of("", "expected a JSON object such as " + example));
        }
        return value;
    }
}
