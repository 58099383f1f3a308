package dev.flow.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;

import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.PrometheusRules;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The alerts of k8s/monitoring/prometheus-rules.yaml about this service (and those about every service, e.g. the
 * Kafka consumer lag) read metrics that its /q/metrics really exposes; every series carries the common
 * {@code service} tag.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
class MetricsExposedTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void everyAlertReadsAMetricThisServiceExposes() {
        // the Kafka clients' metrics are bound once the consumers exist (shortly after startup)
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String scrape = PrometheusRules.scrape(base);
            assertThat(PrometheusRules.unexposed("status-poller", scrape)).isEmpty();
            assertThat(scrape).contains("flow_messaging_dead_letters_total{")
                    .containsPattern("kafka_consumer_fetch_manager_records_lag_max\\{[^}]*service=\"status-poller\"")
                    .containsPattern("flow_poller_interval_seconds\\{service=\"status-poller\"} 0\\.2")
                    .contains("flow_poller_cycle_duration_seconds_max{service=\"status-poller\"}");
        });
    }
}
