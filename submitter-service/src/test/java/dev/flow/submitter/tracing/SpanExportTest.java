package dev.flow.submitter.tracing;

import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.service.tracing.SpanExport;
import dev.flow.submitter.PlatformKeyTestResource;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With no collector named (no {@code OTEL_EXPORTER_OTLP_ENDPOINT}), service-support's no-op exporter is among the
 * {@code SpanExporter} beans a lookup finds: what makes Quarkus build no OTLP span processor in a prod build.
 * {@link SpanExportWithCollectorTest} is the other side; {@link TaskTraceTest} shows spans and {@code traceparent}
 * still flow (the same resources: the same application instance).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SpanExportTest {

    @Inject
    @Any
    Instance<SpanExporter> exporters;

    @Test
    void withoutACollectorTheNoOpExporterStandsInForOtlp() {
        assertThat(exporters.handlesStream().map(h -> h.getBean().getBeanClass().getName()))
                .as("the SpanExporter beans a lookup finds, by declaring class")
                .contains(SpanExport.class.getName());
        assertThat(exporters.handlesStream().filter(h -> h.getBean().getBeanClass() == SpanExport.class)
                .map(h -> h.get().getClass().getSimpleName())).containsExactly("NoopSpanExporter");
    }
}
