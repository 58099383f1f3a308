package dev.flow.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.jboss.logging.Logger;

/**
 * Chooses where Kafka and PostgreSQL come from and keeps one of each per JVM, shared by every test in it.
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} / {@code FLOW_POSTGRES_URL} set: those external servers;</li>
 *   <li>otherwise {@code FLOW_INFRA=embedded|testcontainers} when set;</li>
 *   <li>otherwise Testcontainers when a Docker engine answers, else the embedded servers (no Docker needed).</li>
 * </ul>
 *
 * <p>The embedded Kafka is one broker, or a cluster of several KRaft nodes (replication factor 3,
 * {@code min.insync.replicas=2}) when {@code FLOW_KAFKA_BROKERS} (or the system property {@code flow.kafka.brokers})
 * says so, e.g. 3 for the fault tests.
 */
public final class Infrastructure {

    private static final Logger LOG = Logger.getLogger(Infrastructure.class);

    /** Where the servers come from. */
    public enum Source { EMBEDDED, TESTCONTAINERS, EXTERNAL }

    private static KafkaCluster kafka;
    private static PostgresServer postgres;

    private Infrastructure() {
    }

    /** The JVM-wide Kafka cluster, started on first use and stopped when the JVM exits. */
    public static synchronized KafkaCluster sharedKafka() {
        if (kafka == null) {
            kafka = startKafka(System.getenv());
            LOG.infof("Kafka for this JVM: %s", kafka.description());
            stopOnExit(kafka);
        }
        return kafka;
    }

    /** The JVM-wide PostgreSQL server, started on first use and stopped when the JVM exits. */
    public static synchronized PostgresServer sharedPostgres() {
        if (postgres == null) {
            postgres = startPostgres(System.getenv());
            LOG.infof("PostgreSQL for this JVM: %s", postgres.description());
            stopOnExit(postgres);
        }
        return postgres;
    }

    static KafkaCluster startKafka(Map<String, String> env) {
        String external = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return new ExternalServers.Kafka(external.trim());
        }
        return switch (source(env)) {
            case TESTCONTAINERS -> ContainerKafka.start();
            case EMBEDDED, EXTERNAL -> startEmbeddedKafka(kafkaBrokers(env), 0);
        };
    }

    /**
     * The number of embedded Kafka nodes asked for: {@code FLOW_KAFKA_BROKERS}, else the system property
     * {@code flow.kafka.brokers}, else 1.
     */
    public static int kafkaBrokers(Map<String, String> env) {
        String value = env.get("FLOW_KAFKA_BROKERS");
        if (value == null || value.isBlank()) {
            value = System.getProperty("flow.kafka.brokers", "1");
        }
        try {
            int brokers = Integer.parseInt(value.trim());
            if (brokers >= 1) {
                return brokers;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("FLOW_KAFKA_BROKERS must be a number of brokers (1 or more), not '"
                + value + "'");
    }

    /** One embedded broker, or a cluster of {@code brokers} nodes; {@code port} 0 picks free ports. */
    public static KafkaCluster startEmbeddedKafka(int brokers, int port) {
        return brokers == 1 ? EmbeddedKafkaBroker.builder().port(port).start()
                : EmbeddedKafkaCluster.builder().nodes(brokers).firstClientPort(port).start();
    }

    static PostgresServer startPostgres(Map<String, String> env) {
        String external = env.get("FLOW_POSTGRES_URL");
        if (external != null && !external.isBlank()) {
            return ExternalServers.Postgres.fromUrl(external.trim());
        }
        return switch (source(env)) {
            case TESTCONTAINERS -> ContainerPostgres.start();
            case EMBEDDED, EXTERNAL -> EmbeddedPostgresServer.start();
        };
    }

    /** The source for servers this JVM starts itself: FLOW_INFRA if set, else Docker if present, else embedded. */
    static Source source(Map<String, String> env) {
        String chosen = env.getOrDefault("FLOW_INFRA", "").trim().toLowerCase(Locale.ROOT);
        return switch (chosen) {
            case "embedded" -> Source.EMBEDDED;
            case "testcontainers", "docker" -> Source.TESTCONTAINERS;
            case "" -> dockerAvailable(env) ? Source.TESTCONTAINERS : Source.EMBEDDED;
            default -> throw new IllegalArgumentException(
                    "FLOW_INFRA must be 'embedded' or 'testcontainers', not '" + chosen + "'");
        };
    }

    private static boolean dockerAvailable(Map<String, String> env) {
        // a cheap look first: asking Testcontainers on a machine without any engine costs seconds
        boolean socket = Files.exists(Path.of("/var/run/docker.sock"))
                || env.containsKey("DOCKER_HOST")
                || Files.exists(Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
        if (!socket) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void stopOnExit(AutoCloseable server) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // the JVM is going away; the children's watchdogs finish the job
            }
        }, "flow-dev-stack-stop"));
    }
}
