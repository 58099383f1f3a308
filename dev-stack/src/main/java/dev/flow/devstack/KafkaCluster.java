package dev.flow.devstack;

/** A running Kafka cluster that tests and the local run can use: embedded, in a container, or external. */
public interface KafkaCluster extends AutoCloseable {

    /** The {@code bootstrap.servers} value clients use. */
    String bootstrapServers();

    /** One line for people: what this is and where it runs. */
    String description();

    /** Stops what this object started; an external cluster is left alone. */
    @Override
    void close();
}
