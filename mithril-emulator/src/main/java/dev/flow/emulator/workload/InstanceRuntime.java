package dev.flow.emulator.workload;

import dev.flow.model.startup.WorkloadSpec;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What runs "on" one emulated instance: its directory, the startup-script log, and container {@code main} — the task's
 * command as a real local {@code bash -c} process (the image is recorded, not run: there is no Docker here).
 */
public final class InstanceRuntime {

    /** Exit code docker reports for a container killed by SIGKILL. */
    public static final int KILLED = 137;
    private static final Logger LOG = Logger.getLogger(InstanceRuntime.class);

    private final String instanceFid;
    private final Path dir;
    private final Path workspace;
    private final Path startupLog;
    private final Clock clock;
    private final ProcessLimiter limiter;
    private final long maxOutputBytes;
    private final Path binDir;
    private final Map<String, String> env = new LinkedHashMap<>();

    // guarded by this
    private WorkloadSpec spec;
    private ContainerLog containerLog;
    private Process process;
    private boolean running;
    private Integer exitCode;
    private Instant startedAt;
    private Instant finishedAt;
    private int runId;

    InstanceRuntime(String instanceFid, Path dir, Path binDir, Clock clock, ProcessLimiter limiter,
                    long maxOutputBytes) {
        this.instanceFid = instanceFid;
        this.binDir = binDir;
        this.dir = dir;
        this.clock = clock;
        this.limiter = limiter;
        this.maxOutputBytes = maxOutputBytes;
        try {
            this.workspace = Files.createDirectories(dir.resolve("workspace"));
            Path logDir = Files.createDirectories(dir.resolve("var/log/foundry"));
            this.startupLog = logDir.resolve("startup_script.log");
            Files.writeString(startupLog, "", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create instance directory " + dir, e);
        }
        env.put("HOME", workspace.toString());
        env.put("USER", "ubuntu");
    }

    /**
     * First boot with the bid's startup script. With a workload block the task's command starts as container
     * {@code main}; without one the instance idles after a few boot lines.
     */
    public synchronized void firstBoot(Optional<WorkloadSpec> workload, boolean hasScript, int rank, int numNodes) {
        startupLine("Cloud-init: instance " + instanceFid + " booted");
        if (!hasScript) {
            startupLine("No startup script configured");
            return;
        }
        startupLine("Running startup script /var/lib/foundry/startup_script.sh");
        if (workload.isEmpty()) {
            startupLine("Startup script finished (no Flow workload block: instance idles)");
            return;
        }
        spec = workload.get();
        env.putAll(spec.env());
        env.put("FLOW_NODE_RANK", Integer.toString(rank));
        env.put("FLOW_NUM_NODES", Integer.toString(Math.max(numNodes, 1)));
        env.put("FLOW_MAIN_IP", "127.0.0.1");
        if (spec.taskId() != null) {
            env.put("FLOW_TASK_ID", spec.taskId());
        }
        startupLine("docker run -d --restart=unless-stopped --name=main " + spec.image());
        startContainer();
        startupLine("Startup script finished");
    }

    /** A reboot of the same instance (resume after pause): docker's restart policy restarts {@code main}. */
    public synchronized void reboot() {
        startupLine("Instance " + instanceFid + " resumed");
        if (spec != null) {
            startContainer();
        }
    }

    /** Boot of a replacement instance after preemption: the startup script does not run again. */
    public synchronized void bootWithoutScript() {
        startupLine("Cloud-init: instance " + instanceFid + " booted (startup script already ran for this bid)");
    }

    private void startContainer() {
        try {
            if (containerLog == null) {
                containerLog = new ContainerLog(dir.resolve("container-main.log"), maxOutputBytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        exitCode = null;
        finishedAt = null;
        startedAt = clock.instant();
        int thisRun = ++runId;
        if (!limiter.tryAcquire()) {
            running = false;
            exitCode = 125;
            finishedAt = startedAt;
            writeState("exited 125");
            containerLog.append(clock.instant(), true, "[flow-emulator] process limit of " + limiter.max() + " reached");
            notifyAll();
            return;
        }
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", spec.command()).directory(workspace.toFile());
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            limiter.release();
            running = false;
            exitCode = 127;
            finishedAt = startedAt;
            writeState("exited 127");
            containerLog.append(clock.instant(), true, "[flow-emulator] cannot start bash: " + e.getMessage());
            notifyAll();
            return;
        }
        running = true;
        writeState("running " + process.pid());
        Process started = process;
        ContainerLog log = containerLog;
        closeQuietly(started);
        Thread out = Thread.ofVirtual().start(() -> pump(started.getInputStream(), log, false));
        Thread err = Thread.ofVirtual().start(() -> pump(started.getErrorStream(), log, true));
        Thread.ofVirtual().name("workload-" + instanceFid).start(() -> {
            int code;
            try {
                code = started.waitFor();
                out.join();
                err.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = KILLED;
            } finally {
                limiter.release();
            }
            finished(thisRun, code);
        });
        LOG.debugf("instance %s: container main started", instanceFid);
    }

    private synchronized void finished(int run, int code) {
        if (run != runId || !running) {
            return;
        }
        running = false;
        exitCode = code;
        finishedAt = clock.instant();
        process = null;
        writeState("exited " + code);
        containerLog.poke();
        notifyAll();
    }

    /** State for the docker shim used by shell commands (see emulator/docker-shim.sh). */
    private void writeState(String state) {
        try {
            Path tmp = dir.resolve("container-main.state.tmp");
            Files.writeString(tmp, state + "\n");
            Files.move(tmp, dir.resolve("container-main.state"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(dir.resolve("container-main.image"), spec.image() == null ? "" : spec.image());
        } catch (IOException e) {
            LOG.warnf("instance %s: cannot write container state: %s", instanceFid, e.getMessage());
        }
    }

    private void pump(InputStream stream, ContainerLog log, boolean stderr) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.append(clock.instant(), stderr, line);
            }
        } catch (IOException e) {
            // the process was killed; its pipes are gone
        }
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // stdin of the workload is never used
        }
    }

    /** Kills container main (pause, preemption, termination, shutdown). */
    public synchronized void stop(String why) {
        if (running) {
            ProcessKill.tree(process);
            running = false;
            exitCode = KILLED;
            finishedAt = clock.instant();
            process = null;
            writeState("exited " + KILLED);
            containerLog.poke();
        }
        startupLine("Instance " + instanceFid + " " + why);
        notifyAll();
    }

    public synchronized void close() {
        stop("shut down");
        if (containerLog != null) {
            containerLog.close();
        }
    }

    public synchronized boolean containerExists() {
        return containerLog != null;
    }

    public synchronized boolean running() {
        return running;
    }

    public synchronized Optional<Integer> exitCode() {
        return Optional.ofNullable(exitCode);
    }

    public synchronized Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    public synchronized Optional<Instant> finishedAt() {
        return Optional.ofNullable(finishedAt);
    }

    public synchronized String image() {
        return spec == null ? null : spec.image();
    }

    public synchronized ContainerLog containerLog() {
        return containerLog;
    }

    /** Blocks until container main is not running; its exit code. */
    public synchronized int awaitExit() throws InterruptedException {
        while (running) {
            wait();
        }
        return exitCode == null ? 0 : exitCode;
    }

    public synchronized Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** The environment of SSH shell commands: the task's, plus the docker shim on the PATH. */
    public synchronized Map<String, String> shellEnv() {
        Map<String, String> shell = new LinkedHashMap<>(env);
        shell.put("FLOW_EMULATOR_INSTANCE_DIR", dir.toString());
        shell.put("PATH", binDir + java.io.File.pathSeparator + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return shell;
    }

    /** The emulated clock's now (log timestamps use it). */
    public Instant now() {
        return clock.instant();
    }

    public Path workspace() {
        return workspace;
    }

    public Path startupLog() {
        return startupLog;
    }

    public Path dir() {
        return dir;
    }

    private void startupLine(String text) {
        try {
            Files.writeString(startupLog, clock.instant() + " " + text + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warnf("instance %s: cannot write startup log: %s", instanceFid, e.getMessage());
        }
    }
}
