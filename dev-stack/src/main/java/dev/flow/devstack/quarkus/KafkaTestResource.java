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
        // Kafka loads its metrics reporters through the context class loader; under a restarted Quarkus test
        // application that is another loader than the one holding kafka-clients, and the cast fails.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(KafkaCompanion.class.getClassLoader());
        try {
            companion = new KafkaCompanion(bootstrapServers);
            companion.getOrCreateAdminClient();
        } finally {
            thread.setContextClassLoader(previous);
        }
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
