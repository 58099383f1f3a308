package dev.flow.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * A real single-node Apache Kafka broker in KRaft mode, running in a child JVM started from the Kafka jars on
 * Maven Central (module {@code dev-stack-kafka}).
 *
 * <p>Random ports unless told otherwise; storage is formatted on start and deleted on stop. The child watches its
 * standard input and halts when it closes, so the broker never outlives the JVM that started it, even one killed
 * with SIGKILL.
 */
public final class EmbeddedKafkaBroker implements KafkaCluster {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);
    private static final String CLASSPATH_RESOURCE = "dev/flow/devstack/kafka/broker.classpath";
    private static final String MAIN_CLASS = "dev.flow.devstack.kafka.BrokerMain";

    private final Process process;
    private final OutputStream lifeline;
    private final Path dataDir;
    private final String bootstrapServers;

    private EmbeddedKafkaBroker(Process process, Path dataDir, String bootstrapServers) {
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.dataDir = dataDir;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker on a random port with the default settings. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String description() {
        return "embedded Kafka broker (KRaft, pid " + process.pid() + ") at " + bootstrapServers;
    }

    /** The broker's process, e.g. for measuring its memory. */
    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    public Path dataDirectory() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            lifeline.close(); // the child halts on EOF and deletes its data directory
        } catch (IOException ignored) {
            // already closed: the child is on its way out
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LocalProcesses.deleteRecursively(dataDir);
    }

    /** Settings of a broker to start. */
    public static final class Builder {
        private int port;
        private int partitions = 3;
        private Duration startTimeout = Duration.ofSeconds(90);
        private String maxHeap = "1g";
        private final Map<String, String> overrides = new LinkedHashMap<>();

        /** The client port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Partitions of auto-created topics (default 3, so consumer groups can share a topic). */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public Builder maxHeap(String maxHeap) {
            this.maxHeap = maxHeap;
            return this;
        }

        /** Any broker property, e.g. {@code log.retention.hours}. */
        public Builder property(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafkaBroker start() {
            try {
                return launch();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded Kafka broker", e);
            }
        }

        private EmbeddedKafkaBroker launch() throws IOException {
            Path dataDir = Files.createTempDirectory("flow-kafka-");
            int[] free = LocalProcesses.freePorts(2);
            int clientPort = port == 0 ? free[0] : port;
            int controllerPort = port == free[1] ? free[0] : free[1];
            Path logDir = dataDir.resolve("data");
            Path propertiesFile = dataDir.resolve("server.properties");
            Path log4jFile = dataDir.resolve("log4j2.properties");
            Path brokerLog = dataDir.resolve("broker.log");
            writeProperties(propertiesFile, serverProperties(clientPort, controllerPort, logDir));
            writeLog4j(log4jFile);
            List<String> command = brokerCommand(maxHeap, dataDir, log4jFile, propertiesFile, clusterId(), false);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(brokerLog.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            String bootstrap = "127.0.0.1:" + clientPort;
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(process, dataDir, bootstrap);
            try {
                awaitReady(process, bootstrap, brokerLog);
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            LOG.infof("Started %s", broker.description());
            return broker;
        }

        private Map<String, String> serverProperties(int clientPort, int controllerPort, Path logDir) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPort
                    + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("log.dirs", logDir.toString());
            props.put("num.partitions", Integer.toString(partitions));
            props.put("auto.create.topics.enable", "true");
            // a single node: every internal topic has one replica, and small partition counts start fast
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "5");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "5");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
            props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
            props.putAll(overrides);
            return props;
        }

        /** Waits for the listener to accept connections, so the admin client does not log a failure a millisecond. */
        private void awaitListening(Process process, int port, Path brokerLog, long deadline) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited with code " + process.exitValue()
                            + " while starting:\n" + LocalProcesses.tail(brokerLog, 40));
                }
                try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
            }
        }

        private static int clientPort(String bootstrap) {
            return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        }

        private void awaitReady(Process process, String bootstrap, Path brokerLog) {
            Properties adminProps = new Properties();
            adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
            adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
            long deadline = System.nanoTime() + startTimeout.toNanos();
            awaitListening(process, clientPort(bootstrap), brokerLog, deadline);
            // the admin client loads its metrics reporters through the context class loader: use kafka-clients' own
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(Admin.class.getClassLoader());
            try (Admin admin = Admin.create(adminProps)) {
                while (System.nanoTime() < deadline) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the Kafka broker exited with code " + process.exitValue()
                                + " while starting:\n" + LocalProcesses.tail(brokerLog, 40));
                    }
                    try {
                        if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                            return;
                        }
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        // not listening yet: try again until the deadline
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                    }
                }
            } finally {
                thread.setContextClassLoader(previous);
            }
            throw new IllegalStateException("the Kafka broker was not ready within " + startTimeout + ":\n"
                    + LocalProcesses.tail(brokerLog, 40));
        }
    }

    static void writeProperties(Path file, Map<String, String> values) throws IOException {
        String text = values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** The broker's log4j settings: warnings, and the line that says it started. */
    static void writeLog4j(Path log4jFile) throws IOException {
        Files.writeString(log4jFile, """
                status = warn
                appender.console.type = Console
                appender.console.name = console
                appender.console.layout.type = PatternLayout
                appender.console.layout.pattern = %d{ISO8601} %-5p [%c{1}] %m%n
                rootLogger.level = warn
                rootLogger.appenderRef.console.ref = console
                logger.started.name = kafka.server.KafkaRaftServer
                logger.started.level = info
                """, StandardCharsets.UTF_8);
    }

    /** The command line of one broker's child JVM ({@code BrokerMain}); its stdin must be a pipe held by the parent. */
    static List<String> brokerCommand(String maxHeap, Path dataDir, Path log4jFile, Path propertiesFile,
                                      String clusterId, boolean staticQuorum) {
        List<String> command = new ArrayList<>(List.of(
                LocalProcesses.javaExecutable(),
                "-Xms128m", "-Xmx" + maxHeap,
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Djava.io.tmpdir=" + dataDir,
                "-Dlog4j2.configurationFile=" + log4jFile,
                "-cp", brokerClasspath(),
                MAIN_CLASS,
                propertiesFile.toString(), clusterId, dataDir.toString()));
        if (staticQuorum) {
            command.add("static-quorum");
        }
        return command;
    }

    /** The child's classpath: the dev-stack-kafka jar (BrokerMain) and the broker jars it lists. */
    static String brokerClasspath() {
        URL resource = EmbeddedKafkaBroker.class.getClassLoader().getResource(CLASSPATH_RESOURCE);
        if (resource == null) {
            throw new IllegalStateException(CLASSPATH_RESOURCE + " is not on the classpath: add a dependency on "
                    + "dev.flow:dev-stack-kafka (built by `./mvnw install -pl dev-stack-kafka`)");
        }
        try (var in = resource.openStream()) {
            String brokerJars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return codeLocation(resource) + java.io.File.pathSeparator + brokerJars;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + resource, e);
        }
    }

    /** The jar or classes directory that holds the resource. */
    private static String codeLocation(URL resource) {
        String url = resource.toString();
        try {
            if (url.startsWith("jar:")) {
                String jar = url.substring("jar:".length(), url.indexOf("!/"));
                return Path.of(new java.net.URI(jar)).toString();
            }
            Path file = Path.of(resource.toURI());
            Path root = file;
            for (int i = 0; i < CLASSPATH_RESOURCE.split("/").length; i++) {
                root = root.getParent();
            }
            return root.toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("unexpected resource URL " + url, e);
        }
    }

    /**
     * A KRaft cluster id: 16 random bytes, base64url without padding, as {@code kafka-storage random-uuid} prints.
     * Like Kafka's own {@code Uuid.randomUuid()}, never one starting with '-', which the format tool's argument
     * parser would take for an option (one id in 64 would).
     */
    static String clusterId() {
        String id;
        do {
            UUID uuid = UUID.randomUUID();
            byte[] bytes = java.nio.ByteBuffer.allocate(16)
                    .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } while (id.startsWith("-"));
        return id;
    }
}
