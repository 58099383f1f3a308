package dev.flow.submitter.tracing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * In tests the OTLP exporter is not built in (see service-support's microprofile-config.properties); Quarkus hands
 * every finished span to the CDI {@code SpanExporter} beans instead, and this one keeps them for assertions.
 */
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
