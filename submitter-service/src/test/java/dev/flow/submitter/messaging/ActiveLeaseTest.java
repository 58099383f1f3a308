package dev.flow.submitter.messaging;

import dev.flow.devstack.PrometheusRules;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.repository.Lease;
import dev.flow.submitter.service.LeaseKeeper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The running application takes the lease at startup and keeps it: its row in {@code submitter.lease} names this
 * instance with an expiry ahead, readiness says so ({@code lease}: {@code active}), the gauge is 1, and a second
 * holder cannot take it.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ActiveLeaseTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Lease lease;
    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URI base;

    @Test
    void theRunningApplicationHoldsTheLease() throws Exception {
        await().atMost(WAIT).until(lease::held);
        Row row = pool.preparedQuery("SELECT holder, expires_at > now() AS ahead FROM submitter.lease WHERE name = $1")
                .execute(Tuple.of(LeaseKeeper.NAME)).await().atMost(WAIT).iterator().next();
        assertThat(row.getString("holder")).isEqualTo(lease.holder());
        assertThat(row.getBoolean("ahead")).isTrue();

        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'lease' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'lease' }.data.active", equalTo(true))
                .body("checks.find { it.name == 'lease' }.data.instance", equalTo(lease.holder()))
                .body("checks.find { it.name == 'lease' }.data.holder", equalTo(lease.holder()));
        assertThat(PrometheusRules.scrape(base))
                .contains("flow_lease_held{lease=\"submitter-active\",service=\"submitter-service\"} 1.0");

        Lease other = new Lease(pool, LeaseKeeper.NAME, "another-instance", Duration.ofSeconds(15));
        assertThat(other.renew().await().atMost(WAIT)).isFalse();
        assertThat(other.seen()).hasValueSatisfying(seen -> {
            assertThat(seen.holder()).hasValue(lease.holder());
            assertThat(seen.expiresAt()).isAfter(OffsetDateTime.now().minusSeconds(1));
        });
        assertThat(lease.held()).isTrue();
    }
}
