package dev.flow.service.tracing;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.lookup.LookupIfProperty;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Spans leave the process only when a collector is named ({@code OTEL_EXPORTER_OTLP_ENDPOINT}). Without one, the
 * prod build's OTLP exporter would send every batch to its default, localhost:4317, where nothing listens: a
 * failed export and a log line every few seconds, and an exporter with its gRPC client and buffers kept alive for
 * nothing. Quarkus builds no OTLP span processor when a CDI {@link SpanExporter} bean can be looked up, so this one
 * (exporting nothing) is lookable exactly while no endpoint is set. Spans and {@code traceparent} propagation are
 * untouched: only their export is off.
 */
@Singleton
public class SpanExport {

    @Produces
    @Singleton
    @LookupIfProperty(name = "OTEL_EXPORTER_OTLP_ENDPOINT", stringValue = "", lookupIfMissing = true)
    SpanExporter noCollector() {
        return SpanExporter.composite(); // the SDK's no-op exporter
    }
}
