package dev.flow.poller;

import dev.flow.devstack.quarkus.OpenApiDocuments;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;

/** docs/openapi/status-poller.yaml is what the running service serves at /q/openapi (see {@link OpenApiDocuments}). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
class OpenApiDocumentTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void theStoredDocumentIsWhatTheServiceServes() {
        OpenApiDocuments.assertStoredMatchesServed(base, "status-poller");
    }
}
