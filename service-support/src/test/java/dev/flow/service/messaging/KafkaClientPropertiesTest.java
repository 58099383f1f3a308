package dev.flow.service.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The hand-built clients' settings are the connector's {@code kafka.*} settings: TLS and SASL included. */
class KafkaClientPropertiesTest {

    /** What Quarkus gives as {@code default-kafka-broker}: the {@code kafka.*} config with the prefix removed. */
    private static final Map<String, Object> KAFKA = Map.of(
            "bootstrap.servers", "broker-1:9093,broker-2:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"flow\" password=\"secret\";",
            "ssl.truststore.location", "/etc/kafka/truststore.p12",
            "ssl.truststore.type", "PKCS12",
            "devservices.enabled", "false",
            "health.enabled", "true");

    private final KafkaClientProperties properties = new KafkaClientProperties(KAFKA);

    @Test
    void everyClientKindGetsTheSecuritySettings() {
        for (Map<String, Object> props : List.of(properties.consumer(Map.of()), properties.producer(Map.of()),
                properties.admin(Map.of()))) {
            assertThat(props).containsEntry("bootstrap.servers", "broker-1:9093,broker-2:9093")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", KAFKA.get("sasl.jaas.config"))
                    .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                    .containsEntry("ssl.truststore.type", "PKCS12");
        }
    }

    @Test
    void settingsNoClientKnowsAreLeftOut() {
        assertThat(properties.consumer(Map.of())).doesNotContainKeys("devservices.enabled", "health.enabled");
    }

    @Test
    void theCallersOwnSettingsWin() {
        Map<String, Object> props = properties.consumer(Map.of("enable.auto.commit", false, "client.id", "viewer-1"));
        assertThat(props).containsEntry("enable.auto.commit", false).containsEntry("client.id", "viewer-1")
                .containsEntry("security.protocol", "SASL_SSL");
    }
}
