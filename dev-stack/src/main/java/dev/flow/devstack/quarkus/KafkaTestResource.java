package dev.flow.devstack.quarkus;

import java.util.Map;

import dev.flow.devstack.Infrastructure;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Gives a Quarkus test application a real Kafka broker (see {@link Infrastructure} for where it comes from) and
 * injects a {@link KafkaCompanion} into fields marked {@link InjectKafkaCompanion}.
 *
 * <pre>{@code @WithTestResource(KafkaTestResource.class)}</pre>
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    private KafkaCompanion companion;

    @Override
    public Map<String, String> start() {
        String bootstrapServers = Infrastructure.sharedKafka().bootstrapServers();
        companion = new KafkaCompanion(bootstrapServers);
        return Map.of("kafka.bootstrap.servers", bootstrapServers);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(companion,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaCompanion.class, KafkaCompanion.class));
    }

    @Override
    public void stop() {
        if (companion != null) {
            companion.close();
        }
        // the broker itself is shared by the JVM's tests and stops with the JVM
    }
}
