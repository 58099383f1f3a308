package dev.flow.devstack.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.EmbeddedKafkaCluster;
import dev.flow.devstack.EmbeddedPostgresServer;
import dev.flow.devstack.Infrastructure;
import dev.flow.devstack.KafkaCluster;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.PostgresServer;
import dev.flow.devstack.QuarkusAppProcess;

/**
 * The whole platform on one machine, from a fresh clone with only a JDK: a real Kafka broker and a real PostgreSQL
 * (no Docker), the Mithril emulator unless {@code MITHRIL_API_KEY} is set, and every service whose jar is built.
 * Used by {@code ./flow-local} and by the system tests. {@link #close()} stops everything in reverse order; each
 * child also exits on its own if this JVM dies.
 */
public final class LocalStack implements AutoCloseable {

    /**
     * A service of the platform, where it listens by default, and the service it starts after ({@code null}: none):
     * the log-streamer reads the compacted {@code flow.task.state}, which the poller creates; started first, its
     * consumer would have the broker auto-create that topic uncompacted.
     */
    public record Service(String name, int defaultPort, boolean usesDatabase, String startsAfter) {
    }

    public static final List<Service> SERVICES = List.of(
            new Service("submitter-service", 8081, true, null),
            new Service("status-poller", 8082, false, null),
            new Service("log-streamer", 8083, false, "status-poller"),
            new Service("cost-accountant", 8084, true, null));

    /** How to start the stack. */
    public record Settings(Path stateDir, boolean fixedPorts, Map<String, String> env, PrintStream out,
                           Map<String, String> serviceProperties, Map<String, String> emulatorProperties,
                           boolean sharedArchives) {

        /** Without class data sharing archives (tests' state directories do not outlive the run). */
        public Settings(Path stateDir, boolean fixedPorts, Map<String, String> env, PrintStream out,
                        Map<String, String> serviceProperties, Map<String, String> emulatorProperties) {
            this(stateDir, fixedPorts, env, out, serviceProperties, emulatorProperties, false);
        }

        /** The same with each service's class data sharing archive kept in {@code cds/} of the state directory. */
        public Settings withSharedArchives() {
            return new Settings(stateDir, fixedPorts, env, out, serviceProperties, emulatorProperties, true);
        }

        /** The local run: state in {@code .flow-local/}, the usual ports, the caller's environment. */
        public static Settings local() {
            return new Settings(QuarkusAppProcess.repoRoot().resolve(".flow-local"), true, System.getenv(),
                    System.out, Map.of(), Map.of(), true);
        }

        /**
         * System tests and benchmarks: state in a temporary directory, random ports, never the real Mithril whatever
         * the environment, with extra {@code -D} settings for the services and for the emulator.
         */
        public static Settings forTests(Path stateDir, Map<String, String> serviceProperties,
                                        Map<String, String> emulatorProperties) {
            return new Settings(stateDir, false, Map.of(), System.out, serviceProperties, emulatorProperties);
        }

        /** The same settings with one more environment variable, e.g. {@code FLOW_KAFKA_BROKERS=3}. */
        public Settings withEnv(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(env);
            more.put(name, value);
            return new Settings(stateDir, fixedPorts, Map.copyOf(more), out, serviceProperties, emulatorProperties,
                    sharedArchives);
        }
    }

    private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, QuarkusAppProcess> services = new LinkedHashMap<>();
    /** How each service was started, to start it again ({@link #restartService}). */
    private final Map<String, QuarkusAppProcess.Builder> serviceBuilders = new java.util.concurrent.ConcurrentHashMap<>();
    private final Settings settings;
    private KafkaCluster kafka;
    private PostgresServer postgres;
    private MithrilEmulator emulator;
    private MithrilAccess mithril;
    private DevJwt jwt;
    private String devToken;
    private String operatorToken;

    private LocalStack(Settings settings) {
        this.settings = settings;
    }

    public static LocalStack start(Settings settings) {
        LocalStack stack = new LocalStack(settings);
        try {
            stack.startAll();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    public static void main(String[] args) {
        // the ✓ lines say what started; the launchers' own log lines would only repeat them
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        LocalStack stack = start(Settings.local());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Flow Platform...");
            stack.close();
            System.out.println("Stopped.");
        }, "flow-local-stop"));
        stack.printSummary();
        try {
            Thread.currentThread().join(); // until Ctrl-C
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startAll() {
        Path logs = settings.stateDir().resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logs, e);
        }
        PrintStream out = settings.out();
        out.println("Starting Flow Platform (state and logs in " + settings.stateDir() + ")");

        // the broker, the database and Mithril do not depend on each other: they start together
        long t0 = System.nanoTime();
        CompletableFuture<KafkaCluster> kafkaStart = inParallel(() -> {
            KafkaCluster cluster = track(Infrastructure.startEmbeddedKafka(
                    Infrastructure.kafkaBrokers(settings.env()), port("FLOW_KAFKA_PORT", 9092)));
            ready("kafka", cluster.bootstrapServers(), t0);
            return cluster;
        });
        CompletableFuture<PostgresServer> postgresStart = inParallel(() -> {
            PostgresServer server = track(EmbeddedPostgresServer.builder().port(port("FLOW_POSTGRES_PORT", 0))
                    .durable(true).start());
            ready("postgresql", server.host() + ":" + server.port(), t0);
            return server;
        });
        CompletableFuture<MithrilAccess> mithrilStart = inParallel(() -> startMithril(logs, t0));
        settle(List.of(kafkaStart, postgresStart, mithrilStart));
        kafka = join(kafkaStart);
        postgres = join(postgresStart);
        mithril = join(mithrilStart);

        jwt = DevJwt.generate();
        Path publicKey = writePrivate(settings.stateDir().resolve("jwt-public.pem"), jwt.publicKeyPem());
        MithrilAccess.PlatformKey platformKey = mithril.platformSshKey(settings.stateDir());
        // a working day's token: the local stack's key pair is new at every start anyway
        devToken = jwt.token("developer", List.of(mithril.project()), java.util.Set.of("admin"), Duration.ofHours(12));
        writePrivate(settings.stateDir().resolve("dev-token"), devToken + "\n");
        // the dev token is a tenant's (admin = its own project's budgets); /q/metrics needs the operator's
        operatorToken = jwt.token("prometheus", List.of(), java.util.Set.of(DevJwt.OPERATOR_GROUP),
                Duration.ofHours(12));
        writePrivate(settings.stateDir().resolve("operator-token"), operatorToken + "\n");

        // the services need the infrastructure, and hardly each other: they start together too (on two cores a
        // service's start waits on the broker and the database as much as on the CPU), each after its startsAfter
        Set<String> leftOut = servicesLeftOut();
        Map<String, CompletableFuture<QuarkusAppProcess>> starts = new LinkedHashMap<>();
        long servicesStart = System.nanoTime();
        for (Service service : SERVICES) {
            Path jar = QuarkusAppProcess.jarOf(service.name());
            QuarkusAppProcess.Builder app = QuarkusAppProcess.builder(service.name(), jar)
                    .port(settings.fixedPorts() ? service.defaultPort() : 0)
                    .logFile(logs.resolve(service.name() + ".log"))
                    .sharedArchive(settings.sharedArchives()
                            ? settings.stateDir().resolve("cds").resolve(service.name() + ".jsa") : null)
                    .env("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())
                    .env("MITHRIL_API_URL", mithril.url())
                    .env("MITHRIL_API_KEY", mithril.apiKey())
                    .env("MITHRIL_DEFAULT_PROJECT", mithril.project())
                    .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toString())
                    .env("MP_JWT_VERIFY_ISSUER", DevJwt.ISSUER)
                    .env("MP_JWT_VERIFY_AUDIENCES", DevJwt.AUDIENCE)
                    .env("FLOW_PLATFORM_SSH_KEY_FID", platformKey.fid())
                    .env("FLOW_PLATFORM_SSH_PRIVATE_KEY_PATH", platformKey.privateKeyFile().toString());
            jvmOptionsOverride().map(options -> java.util.Arrays.stream(options)
                    .map(o -> o.replace("{service}", service.name())).toArray(String[]::new))
                    .ifPresent(app::jvmOptions);
            if (service.usesDatabase()) {
                String database = postgres.createDatabaseNamed("flow_" + service.name().replace("-service", "")
                        .replace('-', '_'));
                app.env("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(database))
                        .env("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database))
                        .env("QUARKUS_DATASOURCE_USERNAME", postgres.username());
                if (!postgres.password().isEmpty()) {
                    app.env("QUARKUS_DATASOURCE_PASSWORD", postgres.password());
                }
            }
            settings.serviceProperties().forEach(app::property);
            int devPort = settings.fixedPorts() ? service.defaultPort() : 0;
            writeDevConfiguration(service.name(), app.asConfiguration(devPort));
            if (leftOut.contains(service.name())) {
                out.printf("  -  %-18s left out (FLOW_LOCAL_WITHOUT): ./mvnw -pl %s quarkus:dev%n", service.name(),
                        service.name());
                continue;
            }
            if (!Files.isRegularFile(jar)) {
                out.printf("  -  %-18s not built (%s missing), skipped%n", service.name(), jar);
                continue;
            }
            CompletableFuture<?> after = service.startsAfter() == null ? null : starts.get(service.startsAfter());
            java.util.function.Supplier<CompletableFuture<QuarkusAppProcess>> start = () -> inParallel(() -> {
                QuarkusAppProcess process = track(app.start());
                serviceBuilders.put(service.name(), app.port(process.port()));
                ready(service.name(), process.baseUrl(), servicesStart);
                return process;
            });
            starts.put(service.name(), after == null ? start.get() : after.thenCompose(ready -> start.get()));
        }
        settle(starts.values());
        starts.forEach((name, start) -> services.put(name, join(start)));
        out.printf("  all started in %.1f s%n", Duration.ofNanos(System.nanoTime() - t0).toMillis() / 1000.0);
    }

    /** The real Mithril when {@code MITHRIL_API_KEY} is set, else a started emulator. */
    private MithrilAccess startMithril(Path logs, long startedNanos) {
        Optional<String> realKey = Optional.ofNullable(settings.env().get("MITHRIL_API_KEY")).filter(k -> !k.isBlank());
        if (realKey.isPresent()) {
            String url = Optional.ofNullable(settings.env().get("MITHRIL_API_URL")).filter(u -> !u.isBlank())
                    .orElse("https://api.mithril.ai");
            MithrilAccess real = MithrilAccess.real(url, realKey.get(), settings.env().get("MITHRIL_DEFAULT_PROJECT"));
            ready("mithril", url + " (real Mithril, project " + real.project() + ")", startedNanos);
            return real;
        }
        MithrilEmulator.Builder builder = MithrilEmulator.builder(List.of("flow-dev"))
                .port(port("FLOW_EMULATOR_PORT", 8090))
                .logFile(logs.resolve("mithril-emulator.log"));
        settings.emulatorProperties().forEach(builder::property);
        emulator = track(builder.start());
        ready("mithril-emulator", emulator.baseUrl() + " (key " + emulator.apiKey() + ")", startedNanos);
        return MithrilAccess.emulator(emulator.baseUrl(), emulator.apiKey(), "flow-dev");
    }

    /** Runs a start on its own thread; {@link #join} waits for it and rethrows its failure as it was. */
    private static <T> CompletableFuture<T> inParallel(java.util.function.Supplier<T> start) {
        return CompletableFuture.supplyAsync(start, command -> Thread.ofPlatform().daemon()
                .name("flow-local-start").start(command));
    }

    /** Waits until every start ended, well or not: a failure then stops all that started (nothing left running). */
    private static void settle(java.util.Collection<? extends CompletableFuture<?>> starts) {
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).handle((ok, failure) -> null).join();
    }

    private static <T> T join(CompletableFuture<T> start) {
        try {
            return start.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * JVM options for the services other than the local runner's (e.g. a benchmark comparing settings):
     * {@code -Dflow.local.jvm-options="-XX:+UseSerialGC -Xss512k"}, split at spaces; {@code {service}} stands for
     * the service's name (e.g. in a file name).
     */
    private static Optional<String[]> jvmOptionsOverride() {
        return Optional.ofNullable(System.getProperty("flow.local.jvm-options")).map(String::strip)
                .filter(o -> !o.isEmpty()).map(o -> o.split("\\s+"));
    }

    /** Prints what a person needs next: where things are, the token, a first command. */
    public void printSummary() {
        PrintStream out = settings.out();
        out.println();
        out.println("Flow Platform is running. Ctrl-C stops everything.");
        services.forEach((name, app) -> out.printf("  %-18s %s%n", name, app.baseUrl()));
        out.println("  dev token          " + settings.stateDir().resolve("dev-token")
                + "  (project " + mithril.project() + ", admin)");
        out.println("  operator token     " + settings.stateDir().resolve("operator-token")
                + "  (flow-operator: /q/metrics only)");
        out.println();
        out.println("  export FLOW_TOKEN=" + devToken);
        if (services.containsKey("submitter-service")) {
            out.println("  curl -s -H \"Authorization: Bearer $FLOW_TOKEN\" -H 'Content-Type: application/json' \\");
            out.println("       -d '{\"name\":\"hello\",\"command\":\"echo hello; sleep 3; echo bye\",\"instance_type\":\"a100\"}' \\");
            out.println("       " + services.get("submitter-service").baseUrl() + "/v1/tasks");
        }
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /** The Kafka cluster of several nodes, when {@code FLOW_KAFKA_BROKERS} asked for one (the fault tests). */
    public Optional<EmbeddedKafkaCluster> kafkaCluster() {
        return kafka instanceof EmbeddedKafkaCluster cluster ? Optional.of(cluster) : Optional.empty();
    }

    /** The emulator, when the stack runs on it (always in tests). */
    public Optional<MithrilEmulator> emulator() {
        return Optional.ofNullable(emulator);
    }

    /** The Mithril project the stack works in. */
    public String project() {
        return mithril.project();
    }

    public DevJwt jwt() {
        return jwt;
    }

    /** An admin token for the stack's project. */
    public String devToken() {
        return devToken;
    }

    /** The platform operator's token ({@code flow-operator}): what reads {@code /q/metrics}. */
    public String operatorToken() {
        return operatorToken;
    }

    /** A started service by module name. */
    public Optional<QuarkusAppProcess> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    /**
     * Stops a service and starts it again on the same port with the same settings (tests of clients that must
     * survive a restart, e.g. a log viewer reconnecting). Returns once the new process is ready.
     */
    public synchronized QuarkusAppProcess restartService(String name) {
        QuarkusAppProcess old = services.get(name);
        QuarkusAppProcess.Builder builder = serviceBuilders.get(name);
        if (old == null || builder == null) {
            throw new IllegalArgumentException(name + " is not a started service of this stack");
        }
        old.close();
        started.remove(old);
        QuarkusAppProcess fresh = track(builder.start());
        services.put(name, fresh);
        return fresh;
    }

    /**
     * Kills a service with SIGKILL (a crash: no shutdown hook, no graceful close of its consumers or its database
     * connections) and starts it again on the same port with the same settings; returns once it is ready.
     */
    public synchronized QuarkusAppProcess killAndRestartService(String name) {
        QuarkusAppProcess old = services.get(name);
        QuarkusAppProcess.Builder builder = serviceBuilders.get(name);
        if (old == null || builder == null) {
            throw new IllegalArgumentException(name + " is not a started service of this stack");
        }
        old.kill();
        started.remove(old);
        QuarkusAppProcess fresh = track(builder.start());
        services.put(name, fresh);
        return fresh;
    }

    /**
     * Starts one more replica of a started service, as the first was started (same broker, database, keys and
     * settings) on a free port, logging next to the others; it stops with the stack.
     */
    public synchronized QuarkusAppProcess startReplica(String name, int replica) {
        QuarkusAppProcess.Builder builder = serviceBuilders.get(name);
        if (builder == null) {
            throw new IllegalArgumentException(name + " is not a started service of this stack");
        }
        String replicaName = name + "-" + replica;
        return track(builder.replica(replicaName, settings.stateDir().resolve("logs").resolve(replicaName + ".log"))
                .port(0).start());
    }

    /**
     * Starts one more instance of a started service that keeps its state in PostgreSQL, on an <b>empty database of its
     * own</b>, with {@code properties} on top of the first instance's (give its consumers groups of their own, so they
     * read the topics from the first offset): the state it builds is what a rebuild from scratch gives.
     */
    public synchronized QuarkusAppProcess startFromScratch(String name, String instanceName,
                                                           Map<String, String> properties) {
        QuarkusAppProcess.Builder builder = serviceBuilders.get(name);
        if (builder == null) {
            throw new IllegalArgumentException(name + " is not a started service of this stack");
        }
        String database = postgres.createDatabaseNamed("flow_" + instanceName.replace("-service", "")
                .replace('-', '_'));
        QuarkusAppProcess.Builder scratch = builder.replica(instanceName,
                        settings.stateDir().resolve("logs").resolve(instanceName + ".log"))
                .port(0)
                .env("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(database))
                .env("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database));
        properties.forEach(scratch::property);
        return track(scratch.start());
    }

    @Override
    public void close() {
        List<AutoCloseable> toStop = new ArrayList<>(started);
        Collections.reverse(toStop);
        for (AutoCloseable component : toStop) {
            try {
                component.close();
            } catch (Exception e) {
                settings.out().println("  ! stopping " + component + ": " + e.getMessage());
            }
        }
        started.clear();
    }

    private <T extends AutoCloseable> T track(T component) {
        started.add(component);
        return component;
    }

    private void ready(String component, String where, long startedNanos) {
        settings.out().printf("  ✓  %-18s %-45s ready in %.1f s%n", component, where,
                Duration.ofNanos(System.nanoTime() - startedNanos).toMillis() / 1000.0);
    }

    /** The port from an environment variable, else the default in the local run; 0 (random) in tests. */
    private int port(String variable, int localDefault) {
        String value = settings.env().get(variable);
        if (value != null && !value.isBlank()) {
            return Integer.parseInt(value.trim());
        }
        return settings.fixedPorts() ? localDefault : 0;
    }

    /** The services {@code FLOW_LOCAL_WITHOUT} (comma-separated module names) asks not to start. */
    private Set<String> servicesLeftOut() {
        String value = settings.env().getOrDefault("FLOW_LOCAL_WITHOUT", "");
        Set<String> names = new java.util.TreeSet<>();
        for (String name : value.split(",")) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        Set<String> known = new java.util.TreeSet<>();
        SERVICES.forEach(service -> known.add(service.name()));
        if (!known.containsAll(names)) {
            throw new IllegalArgumentException("FLOW_LOCAL_WITHOUT names " + names + "; the services are " + known);
        }
        return names;
    }

    /**
     * {@code dev/<service>.properties} in the state directory: the settings the stack gives that service (broker,
     * database, Mithril, JWT key, platform SSH key, port). Each service's {@code %dev} profile reads it, so
     * {@code ./mvnw -pl <service> quarkus:dev} joins the running stack in place of the one left out. It holds the
     * Mithril key, so only its owner may read it, like the dev token.
     */
    private void writeDevConfiguration(String service, Map<String, String> configuration) {
        Properties properties = new Properties();
        properties.putAll(configuration);
        java.io.StringWriter text = new java.io.StringWriter();
        try {
            properties.store(text, "written by ./flow-local for ./mvnw -pl " + service + " quarkus:dev");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writePrivate(devConfiguration(settings.stateDir(), service), text.toString());
    }

    /** Where {@link #writeDevConfiguration} puts a service's settings. */
    public static Path devConfiguration(Path stateDir, String service) {
        return stateDir.resolve("dev").resolve(service + ".properties");
    }

    /** Writes a file only its owner may read: tokens and keys. */
    static Path writePrivate(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
