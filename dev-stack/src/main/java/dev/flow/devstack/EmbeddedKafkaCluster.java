package dev.flow.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka cluster of several KRaft nodes on this machine, each node broker and controller in its own
 * child JVM (module {@code dev-stack-kafka}), for the fault tests: topics get replication factor 3 (or the number of
 * nodes) and {@code min.insync.replicas=2}, so {@code acks=all} and leader failover are exercised for real.
 *
 * <p>A node can be killed with SIGKILL ({@link #kill}) and started again on the same ports with the same data
 * ({@link #restart}). Like {@link EmbeddedKafkaBroker}, each child halts when this JVM closes its stdin or dies, and
 * {@link #close()} deletes every node's data. Each node is small (320 MB heap): three of them sit next to the
 * services on a laptop.
 */
public final class EmbeddedKafkaCluster implements KafkaCluster {

    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaCluster.class);

    private final Path baseDir;
    private final String clusterId;
    private final String maxHeap;
    private final Duration startTimeout;
    private final List<BrokerNode> nodes;

    private EmbeddedKafkaCluster(Path baseDir, String clusterId, String maxHeap, Duration startTimeout,
                                 List<BrokerNode> nodes) {
        this.baseDir = baseDir;
        this.clusterId = clusterId;
        this.maxHeap = maxHeap;
        this.startTimeout = startTimeout;
        this.nodes = nodes;
    }

    /** One node: its ports and files never change, its process does when it is restarted. */
    private static final class BrokerNode {
        final int id;
        final int clientPort;
        final int controllerPort;
        final Path dir;
        Process process;
        OutputStream lifeline;

        BrokerNode(int id, int clientPort, int controllerPort, Path dir) {
            this.id = id;
            this.clientPort = clientPort;
            this.controllerPort = controllerPort;
            this.dir = dir;
        }

        Path log() {
            return dir.resolve("broker.log");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.clientPort).collect(Collectors.joining(","));
    }

    @Override
    public String description() {
        return "embedded Kafka cluster of " + nodes.size() + " KRaft nodes (pids "
                + nodes.stream().map(n -> n.process == null || !n.process.isAlive() ? "down"
                        : Long.toString(n.process.pid())).collect(Collectors.joining(", ")) + ") at "
                + bootstrapServers();
    }

    /** The node ids, 1..n. */
    public List<Integer> nodeIds() {
        return nodes.stream().map(n -> n.id).toList();
    }

    public boolean isAlive(int nodeId) {
        BrokerNode node = node(nodeId);
        return node.process != null && node.process.isAlive();
    }

    /** Kills a node with SIGKILL, as a crash would: no shutdown, no flush beyond what the OS already has. */
    public synchronized void kill(int nodeId) {
        BrokerNode node = node(nodeId);
        if (node.process == null || !node.process.isAlive()) {
            throw new IllegalStateException("Kafka node " + nodeId + " is not running");
        }
        node.process.destroyForcibly(); // SIGKILL on POSIX
        try {
            if (!node.process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Kafka node " + nodeId + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing Kafka node " + nodeId, e);
        }
        LOG.infof("Killed Kafka node %d (SIGKILL)", nodeId);
    }

    /** Starts a killed node again on the same ports with the same data; returns once the cluster lists it again. */
    public synchronized void restart(int nodeId) {
        BrokerNode node = node(nodeId);
        if (node.process != null && node.process.isAlive()) {
            throw new IllegalStateException("Kafka node " + nodeId + " is still running");
        }
        launch(node);
        awaitNodes(Set.of(nodeId), System.nanoTime() + startTimeout.toNanos());
        LOG.infof("Restarted Kafka node %d at 127.0.0.1:%d", nodeId, node.clientPort);
    }

    /**
     * Partitions whose in-sync replicas are fewer than their replicas, over every topic: 0 once a restarted node
     * caught up. Answers -1 while the cluster cannot be asked.
     */
    public int underReplicatedPartitions() {
        return withAdmin(admin -> {
            try {
                Set<String> topics = admin.listTopics().names().get(5, TimeUnit.SECONDS);
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                        .get(10, TimeUnit.SECONDS);
                return (int) described.values().stream().flatMap(t -> t.partitions().stream())
                        .filter(p -> p.isr().size() < p.replicas().size()).count();
            } catch (ExecutionException | TimeoutException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        });
    }

    @Override
    public void close() {
        for (BrokerNode node : nodes) {
            if (node.lifeline != null) {
                try {
                    node.lifeline.close(); // the child halts on EOF and deletes its directory
                } catch (IOException ignored) {
                    // already closed: the child is on its way out
                }
            }
        }
        for (BrokerNode node : nodes) {
            if (node.process == null) {
                continue;
            }
            try {
                if (!node.process.waitFor(10, TimeUnit.SECONDS)) {
                    node.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                node.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        LocalProcesses.deleteRecursively(baseDir);
    }

    private BrokerNode node(int nodeId) {
        return nodes.stream().filter(n -> n.id == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Kafka node " + nodeId + "; nodes are "
                        + nodeIds()));
    }

    private void launch(BrokerNode node) {
        try {
            Process process = new ProcessBuilder(EmbeddedKafkaBroker.brokerCommand(maxHeap, node.dir,
                    node.dir.resolve("log4j2.properties"), node.dir.resolve("server.properties"), clusterId, true))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            node.process = process;
            node.lifeline = process.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka node " + node.id, e);
        }
    }

    /** Waits until every node of {@code ids} listens and is registered with the controller quorum. */
    private void awaitNodes(Set<Integer> ids, long deadline) {
        for (int id : ids) {
            BrokerNode node = node(id);
            while (!listening(node.clientPort)) {
                failIfDead(node);
                if (System.nanoTime() > deadline) {
                    throw notReady(node);
                }
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }
        boolean registered = withAdmin(admin -> {
            while (System.nanoTime() < deadline) {
                ids.forEach(id -> failIfDead(node(id)));
                try {
                    Set<Integer> live = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream()
                            .map(Node::id).collect(Collectors.toSet());
                    if (live.containsAll(ids)) {
                        return true;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // the quorum is still electing: ask again until the deadline
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Kafka cluster", e);
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
            return false;
        });
        if (!registered) {
            throw notReady(node(ids.iterator().next()));
        }
    }

    private IllegalStateException notReady(BrokerNode node) {
        return new IllegalStateException("Kafka node " + node.id + " was not ready within " + startTimeout + ":\n"
                + LocalProcesses.tail(node.log(), 40));
    }

    private static void failIfDead(BrokerNode node) {
        if (!node.process.isAlive()) {
            throw new IllegalStateException("Kafka node " + node.id + " exited with code "
                    + node.process.exitValue() + " while starting:\n" + LocalProcesses.tail(node.log(), 40));
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private <T> T withAdmin(java.util.function.Function<Admin, T> action) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        // the admin client loads its metrics reporters through the context class loader: use kafka-clients' own
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Admin.class.getClassLoader());
        try (Admin admin = Admin.create(props)) {
            return action.apply(admin);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Settings of a cluster to start. */
    public static final class Builder {
        private int nodes = 3;
        private int firstClientPort;
        private int partitions = 3;
        private String maxHeap = "320m";
        private Duration startTimeout = Duration.ofSeconds(120);
        private final Map<String, String> overrides = new LinkedHashMap<>();

        /** Number of nodes, each broker and controller (default 3: a quorum that survives one loss). */
        public Builder nodes(int nodes) {
            if (nodes < 1) {
                throw new IllegalArgumentException("a cluster needs at least one node");
            }
            this.nodes = nodes;
            return this;
        }

        /** Client port of node 1, the next nodes on the next ports; 0 (the default) picks free ones. */
        public Builder firstClientPort(int port) {
            this.firstClientPort = port;
            return this;
        }

        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        public Builder maxHeap(String maxHeap) {
            this.maxHeap = maxHeap;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** Any broker property, for every node. */
        public Builder property(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafkaCluster start() {
            try {
                return launch();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded Kafka cluster", e);
            }
        }

        private EmbeddedKafkaCluster launch() throws IOException {
            Path baseDir = Files.createTempDirectory("flow-kafka-cluster-");
            List<BrokerNode> brokerNodes = new ArrayList<>();
            // every node's client and controller ports at once: all distinct
            int[] free = LocalProcesses.freePorts(2 * nodes);
            for (int id = 1; id <= nodes; id++) {
                int clientPort = firstClientPort == 0 ? free[2 * (id - 1)] : firstClientPort + id - 1;
                brokerNodes.add(new BrokerNode(id, clientPort, free[2 * (id - 1) + 1],
                        Files.createDirectories(baseDir.resolve("node-" + id))));
            }
            String voters = brokerNodes.stream().map(n -> n.id + "@127.0.0.1:" + n.controllerPort)
                    .collect(Collectors.joining(","));
            for (BrokerNode node : brokerNodes) {
                EmbeddedKafkaBroker.writeProperties(node.dir.resolve("server.properties"),
                        serverProperties(node, voters));
                EmbeddedKafkaBroker.writeLog4j(node.dir.resolve("log4j2.properties"));
            }
            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(baseDir, EmbeddedKafkaBroker.clusterId(), maxHeap,
                    startTimeout, List.copyOf(brokerNodes));
            try {
                brokerNodes.forEach(cluster::launch);
                cluster.awaitNodes(brokerNodes.stream().map(n -> n.id).collect(Collectors.toSet()),
                        System.nanoTime() + startTimeout.toNanos());
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            LOG.infof("Started %s", cluster.description());
            return cluster;
        }

        private Map<String, String> serverProperties(BrokerNode node, String voters) {
            int replicas = Math.min(3, nodes);
            String minIsr = Integer.toString(Math.min(2, replicas));
            Map<String, String> props = new LinkedHashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", Integer.toString(node.id));
            props.put("controller.quorum.voters", voters);
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + node.clientPort
                    + ",CONTROLLER://127.0.0.1:" + node.controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.clientPort
                    + ",CONTROLLER://127.0.0.1:" + node.controllerPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("log.dirs", node.dir.resolve("data").toString());
            props.put("num.partitions", Integer.toString(partitions));
            props.put("auto.create.topics.enable", "true");
            // every topic, auto-created or not, on three replicas of which two must have a write (acks=all)
            props.put("default.replication.factor", Integer.toString(replicas));
            props.put("min.insync.replicas", minIsr);
            props.put("unclean.leader.election.enable", "false");
            props.put("offsets.topic.replication.factor", Integer.toString(replicas));
            props.put("offsets.topic.num.partitions", "5");
            props.put("transaction.state.log.replication.factor", Integer.toString(replicas));
            props.put("transaction.state.log.min.isr", minIsr);
            props.put("transaction.state.log.num.partitions", "5");
            props.put("share.coordinator.state.topic.replication.factor", Integer.toString(replicas));
            props.put("share.coordinator.state.topic.min.isr", minIsr);
            props.put("group.initial.rebalance.delay.ms", "0");
            // a killed node is fenced after 6 s without heartbeats (default 9 s): leaders move sooner
            props.put("broker.heartbeat.interval.ms", "1000");
            props.put("broker.session.timeout.ms", "6000");
            props.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
            props.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
            props.putAll(overrides);
            return props;
        }
    }
}
