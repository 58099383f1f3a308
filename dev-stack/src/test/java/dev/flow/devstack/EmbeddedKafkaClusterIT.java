package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's cluster: three KRaft nodes, topics on three replicas with {@code min.insync.replicas=2}; a node
 * killed with SIGKILL leaves the cluster writable with {@code acks=all}, and once started again on the same ports
 * and data it catches up (no partition under-replicated), with no acknowledged record lost.
 */
class EmbeddedKafkaClusterIT {

    @Test
    void aKilledNodeLosesNoAcknowledgedRecordAndCatchesUpAfterItsRestart() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().start()) {
            assertThat(cluster.nodeIds()).containsExactly(1, 2, 3);
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            String topic = "cluster-probe";
            Properties adminProps = new Properties();
            adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            try (Admin admin = Admin.create(adminProps)) {
                admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(3), java.util.Optional.empty())))
                        .all().get(30, TimeUnit.SECONDS);
                TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get(topic);
                assertThat(described.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                String minIsr = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic)))
                        .all().get(30, TimeUnit.SECONDS).values().iterator().next()
                        .get("min.insync.replicas").value();
                assertThat(minIsr).isEqualTo("2");
            }

            try (KafkaProducer<String, String> producer = producer(cluster)) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + (i % 5), "before-" + i)).get(30, TimeUnit.SECONDS);
                }
                cluster.kill(2);
                assertThat(cluster.isAlive(2)).isFalse();
                // two replicas of three are in sync: acks=all writes go on (after the leaders moved)
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + (i % 5), "during-" + i)).get(60, TimeUnit.SECONDS);
                }
                cluster.restart(2);
                assertThat(cluster.isAlive(2)).isTrue();
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + (i % 5), "after-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90))
                    .until(() -> cluster.underReplicatedPartitions() == 0);

            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "cluster-probe-reader",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (values.size() < 150 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        values.add(record.value());
                    }
                }
            }
            assertThat(values).hasSize(150).doesNotHaveDuplicates();
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaCluster cluster) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"),
                new StringSerializer(), new StringSerializer());
    }
}
