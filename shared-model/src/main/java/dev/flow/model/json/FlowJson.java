package dev.flow.model.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration every Flow module uses for its own JSON (events, task configs, startup blocks),
 * so a record written by one service reads back identically in another.
 */
public final class FlowJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // ISO-8601 instants ("2026-11-29T18:31:11Z"), never epoch numbers: readable in Kafka tooling.
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            // Consumers ignore unknown fields (ARCHITECTURE "Events"); strict parsing of user input is opt-in (TaskConfigs).
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Money and prices must not pass through double, nor come out as "1E+2".
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /**
     * The one strict reader of user documents (TaskConfig, request bodies): unknown fields, type coercion, duplicate
     * keys and trailing content are errors, and numbers, strings and nesting stay within {@link JsonLimits}.
     */
    private static final JsonMapper STRICT = JsonMapper.builder(
                    JsonFactory.builder().streamReadConstraints(JsonLimits.constraints()).build())
            .addModule(new JavaTimeModule())
            .addModule(JsonLimits.module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private FlowJson() {
    }

    /** The shared, thread-safe mapper. Do not reconfigure it; use {@link ObjectMapper#copy()} for variants. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** The strict reader of user input (see {@link #STRICT}); thread-safe, do not reconfigure. */
    public static JsonMapper strict() {
        return STRICT;
    }
}
