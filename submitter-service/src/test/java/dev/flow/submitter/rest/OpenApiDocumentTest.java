package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.OpenApiDocuments;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.submitter.PlatformKeyTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.submit;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/openapi/submitter-service.yaml is what the running service serves, and what the service answers fits the
 * document: a real Task and a real problem+json error are validated against the stored document's schemas.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
// the stored document is checked (and with -Dopenapi.write=true written) before the tests that read it
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiDocumentTest {

    private static final String SERVICE = "submitter-service";
    private static final String BASE = "https://flow.dev/openapi/" + SERVICE + ".json";

    @TestHTTPResource("/")
    URI base;

    @Test
    @Order(1)
    void theStoredDocumentIsWhatTheServiceServes() {
        OpenApiDocuments.assertStoredMatchesServed(base, SERVICE);
    }

    @Test
    void theDocumentNamesTheRequestSchemaTheErrorsAndTheBearerScheme() throws IOException {
        JsonNode doc = stored();
        JsonNode post = doc.at("/paths/~1v1~1tasks/post");
        assertThat(post.at("/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/TaskConfig");
        assertThat(doc.at("/components/schemas/TaskConfig/properties").has("instance_type")).isTrue();
        assertThat(post.at("/responses/201/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/Task");
        for (String code : List.of("401", "409", "422")) {
            assertThat(post.at("/responses/" + code + "/content/application~1problem+json/schema/$ref").asText())
                    .as("POST /v1/tasks %s", code).isEqualTo("#/components/schemas/Problem");
        }
        assertThat(doc.at("/paths/~1v1~1tasks~1{id}/get/responses/404/content/application~1problem+json"
                + "/schema/$ref").asText()).isEqualTo("#/components/schemas/Problem");
        JsonNode scheme = doc.at("/components/securitySchemes/SecurityScheme");
        assertThat(scheme.path("type").asText()).isEqualTo("http");
        assertThat(scheme.path("scheme").asText()).isEqualTo("bearer");
        assertThat(scheme.path("bearerFormat").asText()).isEqualTo("JWT");
        assertThat(post.path("security").toString()).contains("SecurityScheme");
    }

    @Test
    void aRealTaskAndARealProblemFitTheDocumentsSchemas() throws IOException {
        SchemaRegistry registry = registry();
        Response created = submit("{\"name\": \"%s\", \"instance_type\": \"a100\", \"command\": \"sleep 60\"}"
                .formatted(uniqueName("schema")));
        assertThat(created.statusCode()).isEqualTo(201);
        assertFits(registry, "Task", created.asString());
        String taskId = created.path("task_id");
        assertFits(registry, "Task", asAlice().get("/v1/tasks/" + taskId).then().statusCode(200).extract().asString());

        Response invalid = submit("{\"name\": \"bad name!\", \"instance_type\": \"a100\", \"command\": \"true\"}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.contentType()).startsWith("application/problem+json");
        assertFits(registry, "Problem", invalid.asString());
    }

    private static void assertFits(SchemaRegistry registry, String schemaName, String body) {
        Schema schema = registry.getSchema(SchemaLocation.of(BASE + "#/components/schemas/" + schemaName));
        List<Error> errors = schema.validate(body, InputFormat.JSON);
        assertThat(errors).as("%s against the document's %s schema", body, schemaName).isEmpty();
    }

    private static JsonNode stored() throws IOException {
        return new YAMLMapper().readTree(Files.readString(OpenApiDocuments.file(SERVICE)));
    }

    /** The stored document as a JSON Schema resource (OpenAPI 3.1 dialect), so its component schemas resolve. */
    private static SchemaRegistry registry() throws IOException {
        String json = new ObjectMapper().writeValueAsString(stored());
        Dialect dialect = Dialect.builder(Dialects.getOpenApi31())
                // the document root is loaded as a schema resource too; its OpenAPI fields are not schema keywords
                .keywords(Stream.of("openapi", "info", "servers", "paths", "components", "security", "tags")
                        .map(NonValidationKeyword::new).toList())
                .build();
        return SchemaRegistry.withDialect(dialect, builder -> builder.schemas(Map.of(BASE, json)));
    }
}
