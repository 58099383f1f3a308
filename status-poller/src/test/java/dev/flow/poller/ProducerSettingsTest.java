package dev.flow.poller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flow.devstack.quarkus.ProducerDurability;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Every producer of the service takes service-support's shared defaults (acks=all, idempotence). */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(JwtTestResource.class)
class ProducerSettingsTest {

    @Inject
    KafkaClientService kafka;

    @Test
    void everyProducerWaitsForAllInSyncReplicasAndNeverDuplicates() {
        assertThat(ProducerDurability.problems(kafka.getProducerChannels(),
                channel -> kafka.getProducer(channel).configuration())).isEmpty();
    }
}
