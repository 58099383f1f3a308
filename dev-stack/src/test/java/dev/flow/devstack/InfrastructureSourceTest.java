package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class InfrastructureSourceTest {

    @Test
    void flowInfraChoosesTheSource() {
        assertThat(Infrastructure.source(Map.of("FLOW_INFRA", "embedded"))).isEqualTo(Infrastructure.Source.EMBEDDED);
        assertThat(Infrastructure.source(Map.of("FLOW_INFRA", "Testcontainers")))
                .isEqualTo(Infrastructure.Source.TESTCONTAINERS);
        assertThatThrownBy(() -> Infrastructure.source(Map.of("FLOW_INFRA", "podman")))
                .hasMessageContaining("FLOW_INFRA must be 'embedded' or 'testcontainers'");
    }

    @Test
    void externalKafkaIsUsedAsGiven() {
        KafkaCluster kafka = Infrastructure.startKafka(Map.of("KAFKA_BOOTSTRAP_SERVERS", " broker-1:9092,broker-2:9092 "));
        assertThat(kafka.bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9092");
        assertThat(kafka.description()).startsWith("external Kafka");
    }

    @Test
    void externalPostgresUrlIsParsedAndItsPasswordStaysOutOfDescriptions() {
        PostgresServer postgres = Infrastructure.startPostgres(
                Map.of("FLOW_POSTGRES_URL", "postgresql://flow:s%40cret@db.internal:6432"));
        assertThat(postgres.host()).isEqualTo("db.internal");
        assertThat(postgres.port()).isEqualTo(6432);
        assertThat(postgres.username()).isEqualTo("flow");
        assertThat(postgres.password()).isEqualTo("s@cret");
        assertThat(postgres.reactiveUrl("tasks")).isEqualTo("postgresql://db.internal:6432/tasks");
        assertThat(postgres.description()).doesNotContain("cret");
        assertThat(postgres.toString()).doesNotContain("cret");
    }

    @Test
    void aJdbcStyleUrlWithoutPortDefaultsTo5432() {
        PostgresServer postgres = Infrastructure.startPostgres(Map.of("FLOW_POSTGRES_URL", "jdbc:postgresql://db"));
        assertThat(postgres.port()).isEqualTo(5432);
        assertThat(postgres.username()).isEqualTo("postgres");
    }

    @Test
    void otherUrlSchemesAreRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> Infrastructure.startPostgres(Map.of("FLOW_POSTGRES_URL", "mysql://db:3306")))
                .hasMessageContaining("postgresql://user:password@host:5432");
    }
}
