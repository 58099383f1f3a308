package dev.flow.submitter.rest;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.time.Duration;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.health.MithrilHealth;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mithril down (the real emulator answering 503 to every health call) makes the submitter degraded, not unready:
 * readiness stays UP and says so, wellness goes DOWN, reads are served; when Mithril answers again, so does the
 * health. No probe calls Mithril: the health is the last scheduled observation.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class MithrilOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Inject
    MithrilHealth health;

    @AfterEach
    void mithrilBack() {
        emulator.clearFaults();
    }

    @Test
    void mithrilDownLeavesTheSubmitterReadyButDegradedAndServingReads() {
        emulator.fail("GET", "/v2/projects", 503, null, 1_000);
        assertThat(health.probe().await().atMost(WAIT).up()).isFalse();

        String requestsBefore = emulator.requestCounters();
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'mithril' }.data.mithril", equalTo("degraded"))
                .body("checks.find { it.name == 'mithril' }.data.error", not(emptyOrNullString()));
        given().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'mithril' }.status", equalTo("DOWN"));
        asAlice().get("/v1/tasks").then().statusCode(200);
        assertThat(emulator.requestCounters()).as("probes read the cached health, not Mithril")
                .isEqualTo(requestsBefore);

        emulator.clearFaults();
        assertThat(health.probe().await().atMost(WAIT).up()).isTrue();
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'mithril' }.data.mithril", equalTo("up"));
        given().get("/q/health/well").then().statusCode(200);
    }
}
