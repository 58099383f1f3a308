package dev.flow.submitter.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.json.FlowJson;

import java.util.List;

/**
 * Reads a request body strictly (unknown fields, wrong JSON types, trailing tokens → a 422 naming the field):
 * the one reader for the volume, exec and invocation bodies.
 */
final class StrictJson {

    private static final JsonMapper STRICT = ((JsonMapper) FlowJson.mapper()).rebuild()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private StrictJson() {
    }

    static <T> T read(String json, Class<T> type, List<String> fields, String example) {
        if (json == null || json.isBlank()) {
            throw ValidationError.of(FieldError.of("", "the request body is empty; expected " + example));
        }
        ObjectReader reader = STRICT.readerFor(type);
        T value;
        try {
            value = reader.readValue(json);
        } catch (UnrecognizedPropertyException e) {
            throw ValidationError.of(new FieldError(e.getPropertyName(), "unknown field",
                    Suggestions.closestWithin(e.getPropertyName(), fields, 4)));
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
