package dev.flow.submitter.tracing;

import java.util.Map;

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
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With a collector named, service-support's no-op exporter is out of every lookup: Quarkus' OTLP exporter serves. */
@QuarkusTest
@TestProfile(SpanExportWithCollectorTest.WithCollector.class)
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SpanExportWithCollectorTest {

    public static class WithCollector implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317");
        }
    }

    @Inject
    @Any
    Instance<SpanExporter> exporters;

    @Test
    void withACollectorTheNoOpExporterIsNotLookedUp() {
        assertThat(exporters.handlesStream().map(h -> h.getBean().getBeanClass().getName()))
                .as("the SpanExporter beans a lookup finds, by declaring class")
                .doesNotContain(SpanExport.class.getName())
                .contains(InMemorySpans.class.getName()); // the lookup itself works: the test's exporter is found
    }
}
