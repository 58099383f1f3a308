package dev.flow.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jboss.logging.Logger;

/**
 * A packaged Quarkus application ({@code <module>/target/quarkus-app/quarkus-run.jar}) run as a child process: the
 * emulator in tests, every service in the local run. It gets {@code -D<prefix>.exit-on-stdin-eof=true} and a stdin
 * pipe held by this JVM, so it exits with its parent; ready means {@code /q/health/ready} answers 200.
 */
public final class QuarkusAppProcess implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(QuarkusAppProcess.class);

    private final String name;
    private final Process process;
    private final OutputStream lifeline;
    private final int port;
    private final Path log;
    private final boolean temporaryLog;

    private QuarkusAppProcess(String name, Process process, int port, Path log, boolean temporaryLog) {
        this.name = name;
        this.process = process;
        this.lifeline = process.getOutputStream();
        this.port = port;
        this.log = log;
        this.temporaryLog = temporaryLog;
    }

    /** The repository root: {@code flow.repo.root} (set by the build for tests), else the working directory. */
    public static Path repoRoot() {
        return Path.of(System.getProperty("flow.repo.root", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The packaged jar of a module of this repository. */
    public static Path jarOf(String module) {
        return repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /**
     * The JVM settings a deployed service runs with, besides its heap cap (k8s/configmap.yaml and docker-compose.yml
     * give these as {@code GC_CONTAINER_OPTIONS} and {@code JDK_JAVA_OPTIONS}; flow-cli's DeploymentFilesTest keeps
     * them equal). A control plane's services hold little live data: the serial collector (what the JVM picks by
     * itself for a container of under two CPUs or 1792 MiB), a heap that starts at 16 MiB and gives memory back
     * after a collection, and half-size thread stacks keep an idle service small. JDK 25's compact object headers
     * (8 bytes instead of 12) shrink every object, and a malloc trim every 5 s hands back the native memory the JIT
     * compilers and the start-up freed but glibc would keep (the largest of these levers: 10–30 MiB per service).
     * bench's StackFootprint measures them (bench/results-footprint.md).
     */
    public static final List<String> DEPLOYED_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms16m",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-Xss512k", "-XX:+UseCompactObjectHeaders",
            "-XX:TrimNativeHeapInterval=5000");

    /**
     * Environment of a deployed service's JVM: glibc keeps at most two malloc arenas instead of eight per core,
     * which with the JVM's many threads is memory held and never used.
     */
    public static final Map<String, String> DEPLOYED_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    public static Builder builder(String name, Path jar) {
        return new Builder(name, jar);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path logFile() {
        return log;
    }

    public ProcessHandle processHandle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the application with SIGKILL, as a crash would, and waits until it is gone. Its log stays. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        }
    }

    /** Stops the application: closes its stdin (it exits by itself), then SIGTERM, then SIGKILL. */
    @Override
    public void close() {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (temporaryLog) {
            // a log nobody asked to keep: what mattered was in the start failure's message, if any
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // best effort, it lives in the temp directory
            }
        }
    }

    /** Settings of an application to start. */
    public static final class Builder {
        private final String name;
        private final Path jar;
        private int port;
        private String exitOnEofProperty = "flow.exit-on-stdin-eof";
        private String maxHeap = "384m";
        private Path logFile;
        private Duration startTimeout = Duration.ofSeconds(120);
        private Path sharedArchive;
        /** Whether a process was started from this builder already (its restarts append to its log). */
        private boolean startedBefore;
        /** The local runner's: the deployed settings with the C1 compiler only (quicker to start, smaller). */
        private List<String> jvmOptions = java.util.stream.Stream.concat(DEPLOYED_JVM_OPTIONS.stream(),
                java.util.stream.Stream.of("-XX:TieredStopAtLevel=1")).toList();
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Builder(String name, Path jar) {
            this.name = name;
            this.jar = jar;
        }

        /**
         * The same application with the same settings under another name (another replica): on a free port, and
         * logging to {@code logFile} when given (else a temporary file).
         */
        public Builder replica(String replicaName, Path replicaLogFile) {
            Builder copy = new Builder(replicaName, jar);
            copy.exitOnEofProperty = exitOnEofProperty;
            copy.maxHeap = maxHeap;
            copy.startTimeout = startTimeout;
            copy.logFile = replicaLogFile;
            copy.properties.putAll(properties);
            copy.environment.putAll(environment);
            return copy;
        }

        /** The HTTP port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The boolean property that makes the application exit when its stdin closes. */
        public Builder exitOnStdinEofProperty(String property) {
            this.exitOnEofProperty = property;
            return this;
        }

        public Builder maxHeap(String maxHeap) {
            this.maxHeap = maxHeap;
            return this;
        }

        /**
         * JVM options besides the heap cap, replacing the local runner's ({@link #DEPLOYED_JVM_OPTIONS} and
         * {@code -XX:TieredStopAtLevel=1}); e.g. a benchmark passes the deployment's (full JIT).
         */
        public Builder jvmOptions(String... options) {
            this.jvmOptions = List.of(options);
            return this;
        }

        /**
         * A class data sharing archive of this application's classes (JDK 19+ {@code -XX:+AutoCreateSharedArchive}):
         * written when the application exits, mapped at its next start, which then loads its classes faster; the
         * JVM rewrites it when the jar changed. For a state directory that outlives the run (the local run), not
         * for tests' temporary ones. A replica gets none (two JVMs must not write one file).
         */
        public Builder sharedArchive(Path archive) {
            this.sharedArchive = archive;
            return this;
        }

        public Builder logFile(Path logFile) {
            this.logFile = logFile;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /** A system property ({@code -Dkey=value}): for settings that are not secret. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** An environment variable: for secrets, which then never appear in a process listing. */
        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /**
         * The settings this application gets (environment and system properties, with its HTTP port) as
         * configuration properties: what a developer's {@code quarkus:dev} of the same service reads to join the
         * running stack. An environment variable appears under its own name (the name the application's
         * expressions use, e.g. {@code ${MITHRIL_DEFAULT_PROJECT}}) and under the property it stands for
         * ({@code KAFKA_BOOTSTRAP_SERVERS} is {@code kafka.bootstrap.servers}): a properties file is not mapped the
         * way the environment is.
         */
        public Map<String, String> asConfiguration(int httpPort) {
            Map<String, String> configuration = new LinkedHashMap<>();
            environment.forEach((key, value) -> {
                configuration.put(key, value);
                propertyNameOf(key).ifPresent(property -> configuration.put(property, value));
            });
            configuration.putAll(properties);
            configuration.put("quarkus.http.port", Integer.toString(httpPort));
            return configuration;
        }

        /**
         * The property an environment variable the stack passes stands for: Quarkus', MicroProfile's and Kafka's
         * names are dotted ({@code QUARKUS_DATASOURCE_REACTIVE_URL}), Mithril's are service-support's
         * {@code mithril.*} mapping ({@code MITHRIL_API_KEY} is {@code mithril.api-key}); the rest are only read
         * through expressions under their own names.
         */
        private static java.util.Optional<String> propertyNameOf(String environmentName) {
            String lower = environmentName.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("quarkus_") || lower.startsWith("mp_") || lower.startsWith("kafka_")) {
                return java.util.Optional.of(lower.replace('_', '.'));
            }
            if (lower.startsWith("mithril_")) {
                return java.util.Optional.of("mithril." + lower.substring("mithril_".length()).replace('_', '-'));
            }
            return java.util.Optional.empty();
        }

        public QuarkusAppProcess start() {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build it first (./mvnw install -DskipTests)");
            }
            // a free port found now may be taken by the time the application binds it, seconds later (another
            // process, an outgoing connection's ephemeral port): with a port of our choosing, choose again
            for (int attempt = 1; ; attempt++) {
                try {
                    return startOn(port == 0 ? LocalProcesses.freePort() : port);
                } catch (PortTakenException e) {
                    if (port != 0 || attempt == 3) {
                        throw e;
                    }
                    LOG.warnf("%s: %s; starting it again on another port", name, e.getMessage().lines().findFirst()
                            .orElse(""));
                }
            }
        }

        private QuarkusAppProcess startOn(int httpPort) {
            try {
                Path logPath = logFile != null ? logFile
                        : Files.createTempFile("flow-" + name + "-", ".log");
                Files.createDirectories(logPath.toAbsolutePath().getParent());
                List<String> command = new ArrayList<>(List.of(LocalProcesses.javaExecutable(),
                        "-Xmx" + maxHeap));
                command.addAll(jvmOptions);
                if (sharedArchive != null) {
                    Files.createDirectories(sharedArchive.toAbsolutePath().getParent());
                    command.addAll(List.of("-XX:+AutoCreateSharedArchive",
                            "-XX:SharedArchiveFile=" + sharedArchive.toAbsolutePath()));
                }
                command.addAll(List.of("-Dquarkus.http.port=" + httpPort,
                        "-Dquarkus.http.host=127.0.0.1",
                        "-D" + exitOnEofProperty + "=true"));
                properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
                command.add("-jar");
                command.add(jar.toString());
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(jar.getParent().toFile())
                        .redirectErrorStream(true)
                        // a restart of this builder's process (a test's SIGKILL and restart) appends: the log of the
                        // process before it is kept; the first start begins the file anew
                        .redirectOutput(startedBefore ? ProcessBuilder.Redirect.appendTo(logPath.toFile())
                                : ProcessBuilder.Redirect.to(logPath.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.PIPE);
                builder.environment().putAll(DEPLOYED_ENVIRONMENT);
                builder.environment().putAll(environment);
                QuarkusAppProcess app = new QuarkusAppProcess(name, builder.start(), httpPort, logPath, logFile == null);
                startedBefore = true;
                try {
                    awaitReady(app);
                } catch (RuntimeException e) {
                    app.close();
                    throw e;
                }
                LOG.infof("Started %s at %s (log %s)", name, app.baseUrl(), logPath);
                return app;
            } catch (IOException e) {
                throw new UncheckedIOException("could not start " + name, e);
            }
        }

        private void awaitReady(QuarkusAppProcess app) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            URI ready = URI.create(app.baseUrl() + "/q/health/ready");
            long deadline = System.nanoTime() + startTimeout.toNanos();
            int lastStatus = -1;
            while (System.nanoTime() < deadline) {
                if (!app.process.isAlive()) {
                    String tail = LocalProcesses.tail(app.log, 60);
                    String message = name + " exited with code " + app.process.exitValue() + " while starting:\n"
                            + tail;
                    throw tail.contains("Port " + app.port() + " seems to be in use") ? new PortTakenException(message)
                            : new IllegalStateException(message);
                }
                try {
                    lastStatus = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (lastStatus == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + name, e);
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
            throw new IllegalStateException(name + " was not ready within " + startTimeout + " (last readiness status "
                    + lastStatus + "):\n" + LocalProcesses.tail(app.log, 60));
        }
    }

    /** The application could not bind its HTTP port: something else had it. */
    static final class PortTakenException extends IllegalStateException {
        PortTakenException(String message) {
            super(message);
        }
    }
}
