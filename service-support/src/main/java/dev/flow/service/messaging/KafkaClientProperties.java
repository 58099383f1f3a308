package dev.flow.service.messaging;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The connection settings of Kafka clients built by hand (a consumer without a group, an admin client): the same
 * {@code kafka.*} settings the SmallRye connector channels use (bootstrap servers, {@code security.protocol},
 * {@code sasl.*}, {@code ssl.*}), so TLS/SASL set once in config reach every client. Quarkus exposes them, prefix
 * removed, as the {@code default-kafka-broker} map.
 */
@ApplicationScoped
public class KafkaClientProperties {

    private final Map<String, Object> kafka;

    public KafkaClientProperties(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.kafka = Map.copyOf(kafka);
    }

    /** Settings for a {@code KafkaConsumer}, then {@code overrides} (the caller's own behaviour) on top. */
    public Map<String, Object> consumer(Map<String, Object> overrides) {
        return of(kafka, ConsumerConfig.configNames(), overrides);
    }

    /** Settings for a {@code KafkaProducer}, then {@code overrides} on top. */
    public Map<String, Object> producer(Map<String, Object> overrides) {
        return of(kafka, ProducerConfig.configNames(), overrides);
    }

    /** Settings for an {@code Admin} client, then {@code overrides} on top. */
    public Map<String, Object> admin(Map<String, Object> overrides) {
        return of(kafka, AdminClientConfig.configNames(), overrides);
    }

    /**
     * The entries of {@code kafka} (the {@code kafka.*} config, prefix removed) that the client knows, then
     * {@code overrides}. Unknown keys are left out: the connector's own settings would only draw warnings.
     */
    public static Map<String, Object> of(Map<String, Object> kafka, Set<String> clientKeys,
                                         Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (clientKeys.contains(key)) {
                props.put(key, value);
            }
        });
        props.putAll(overrides);
        return props;
    }
}
