package dev.flow.cost;

import dev.flow.devstack.quarkus.OpenApiDocuments;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;

/** docs/openapi/cost-accountant.yaml is what the running service serves at /q/openapi (see {@link OpenApiDocuments}). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
class OpenApiDocumentTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void theStoredDocumentIsWhatTheServiceServes() {
        OpenApiDocuments.assertStoredMatchesServed(base, "cost-accountant");
    }
}
