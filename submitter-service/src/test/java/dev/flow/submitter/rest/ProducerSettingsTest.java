package dev.flow.submitter.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flow.devstack.quarkus.ProducerDurability;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.submitter.PlatformKeyTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Every producer of the service takes service-support's shared defaults (acks=all, idempotence). */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ProducerSettingsTest {

    @Inject
    KafkaClientService kafka;

    @Test
    void everyProducerWaitsForAllInSyncReplicasAndNeverDuplicates() {
        assertThat(ProducerDurability.problems(kafka.getProducerChannels(),
                channel -> kafka.getProducer(channel).configuration())).isEmpty();
    }
}
