package dev.flow.service.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.model.json.JsonLimits;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Quarkus's own ObjectMapper (what reads a JAX-RS body parameter such as a budget) gets the same bounds as the strict
 * reader: numbers bounded in precision and scale as they are read, nesting, string and number lengths capped, duplicate
 * keys refused.
 */
@Singleton
public class JsonLimitsCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(JsonLimits.constraints());
        // a repeated key is an error (422), not a second value: Jackson cannot even bind one to a record's creator
        mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.registerModule(JsonLimits.module());
    }
}
