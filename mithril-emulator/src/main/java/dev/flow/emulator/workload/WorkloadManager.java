package dev.flow.emulator.workload;

import dev.flow.emulator.config.EmulatorConfig;
import dev.flow.emulator.domain.EmulatorClock;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Owns the per-instance runtimes and their directories. */
@ApplicationScoped
public class WorkloadManager {

    private static final Logger LOG = Logger.getLogger(WorkloadManager.class);

    private final Map<String, InstanceRuntime> runtimes = new ConcurrentHashMap<>();
    private final EmulatorClock clock;
    private final ProcessLimiter limiter;
    private final long maxOutputBytes;
    private final Path root;
    private final boolean temporaryRoot;
    private final Path binDir;

    public WorkloadManager(EmulatorConfig config, EmulatorClock clock, ProcessLimiter limiter) {
        this.clock = clock;
        this.limiter = limiter;
        this.maxOutputBytes = config.workload().maxOutputBytes();
        this.temporaryRoot = config.workload().root().isEmpty();
        try {
            this.root = config.workload().root().isPresent()
                    ? Files.createDirectories(Path.of(config.workload().root().get()))
                    : Files.createTempDirectory("mithril-emulator-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the workload root", e);
        }
        this.binDir = installDockerShim(root);
        LOG.infof("instance directories under %s", root);
    }

    public InstanceRuntime create(String instanceFid) {
        return runtimes.computeIfAbsent(instanceFid, fid -> {
            // FIDs repeat after a reset or restart (same seed): a new instance never sees an old one's files
            Path dir = root.resolve(fid);
            deleteTree(dir);
            return new InstanceRuntime(fid, dir, binDir, clock, limiter, maxOutputBytes);
        });
    }

    /** {@code <root>/bin/docker}: lets shell commands over SSH (pipes, substitutions) read container main. */
    private static Path installDockerShim(Path root) {
        try (var in = WorkloadManager.class.getResourceAsStream("/emulator/docker-shim.sh")) {
            if (in == null) {
                throw new IllegalStateException("emulator/docker-shim.sh missing from the classpath");
            }
            Path bin = Files.createDirectories(root.resolve("bin"));
            Path docker = bin.resolve("docker");
            Files.write(docker, in.readAllBytes());
            Files.setPosixFilePermissions(docker, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the docker shim", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    public Optional<InstanceRuntime> find(String instanceFid) {
        return Optional.ofNullable(runtimes.get(instanceFid));
    }

    /** Kills every process (reset, shutdown). */
    public void closeAll() {
        runtimes.values().forEach(InstanceRuntime::close);
        runtimes.clear();
    }

    void onStop(@Observes ShutdownEvent event) {
        closeAll();
        if (temporaryRoot) {
            // a temp root is ours alone; a configured root is kept for inspection
            deleteTree(root);
        }
    }
}
