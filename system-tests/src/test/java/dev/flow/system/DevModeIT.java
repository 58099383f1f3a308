package dev.flow.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.devstack.local.LocalStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's dev-mode recipe: {@code FLOW_LOCAL_WITHOUT=cost-accountant ./flow-local}, then
 * {@code ./mvnw -pl cost-accountant quarkus:dev}. The stack leaves the service out and writes the settings it would
 * have given it; the service's {@code %dev} profile reads them and joins the running broker, database, Mithril and
 * JWT key. Here the service's own jar runs with the dev profile (what {@code quarkus:dev} runs, without Maven).
 */
class DevModeIT {

    private static final String SERVICE = "cost-accountant";

    @TempDir
    Path state;

    @Test
    void aServiceLeftOutOfTheStackJoinsItInDevMode() throws Exception {
        LocalStack.Settings settings = new LocalStack.Settings(state, false,
                Map.of("FLOW_LOCAL_WITHOUT", SERVICE), System.out, Map.of(), Map.of());
        try (LocalStack stack = LocalStack.start(settings)) {
            assertThat(stack.service(SERVICE)).as("left out of the stack").isEmpty();
            assertThat(stack.service("submitter-service")).isPresent();

            Path devSettings = LocalStack.devConfiguration(state, SERVICE);
            assertThat(Files.getPosixFilePermissions(devSettings))
                    .as("it holds the Mithril key: its owner's only")
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Properties written = new Properties();
            try (var in = Files.newBufferedReader(devSettings)) {
                written.load(in);
            }
            assertThat(written.getProperty("kafka.bootstrap.servers")).isEqualTo(stack.kafkaBootstrapServers());
            assertThat(written.getProperty("quarkus.datasource.reactive.url")).contains("flow_cost_accountant");

            try (QuarkusAppProcess devService = QuarkusAppProcess.builder(SERVICE + "-dev",
                            QuarkusAppProcess.jarOf(SERVICE))
                    .property("quarkus.profile", "dev")
                    .env("FLOW_LOCAL_DIR", state.toString())
                    .logFile(state.resolve("logs").resolve(SERVICE + "-dev.log"))
                    .start()) {
                // the stack's JWT key, database and broker: an authenticated read of the stack's project answers
                given().baseUri(devService.baseUrl())
                        .auth().oauth2(stack.devToken())
                        .when().get("/v1/costs/projects/" + stack.project())
                        .then().statusCode(200);
                given().baseUri(devService.baseUrl())
                        .when().get("/q/health/ready")
                        .then().statusCode(200);
            }
        }
    }
}
