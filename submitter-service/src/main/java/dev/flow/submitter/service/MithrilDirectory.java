package dev.flow.submitter.service;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.CreateVolumeRequest;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.mithril.client.model.Project;
import dev.flow.mithril.client.model.SshKey;
import dev.flow.mithril.client.model.Volume;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.task.VolumeInterface;
import dev.flow.model.task.VolumeSpec;
import dev.flow.service.config.MithrilSettings;
import dev.flow.submitter.config.SubmitterConfig;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a bid refers to by FID: the project (the platform names projects by their Mithril name), the SSH keys and
 * the volumes. Volumes are created on first use (the client's create is idempotent by name).
 */
@ApplicationScoped
public class MithrilDirectory {

    private static final Logger LOG = Logger.getLogger(MithrilDirectory.class);

    private final MithrilClient mithril;
    private final List<String> configuredKeys;
    private final Optional<String> platformKey;
    private final SubmitterConfig config;
    private final Clock clock = Clock.systemUTC();

    private volatile Map<String, String> projectFids = Map.of();
    private volatile Instant projectsFetchedAt = Instant.EPOCH;

    public MithrilDirectory(MithrilClient mithril, MithrilSettings settings, SubmitterConfig config) {
        this.mithril = mithril;
        this.configuredKeys = settings.sshKeys().orElse(List.of()).stream().filter(k -> !k.isBlank()).toList();
        this.platformKey = config.platformSshKeyFid().filter(k -> !k.isBlank());
        this.config = config;
    }

    /** The project's fid, from a cached {@code GET /v2/projects} (refreshed when stale or on a miss). */
    public Uni<String> projectFid(String projectName) {
        boolean fresh = projectsFetchedAt.plus(config.projectCacheTtl()).isAfter(clock.instant());
        String cached = projectFids.get(projectName);
        if (cached != null && fresh) {
            return Uni.createFrom().item(cached);
        }
        return mithril.projects().map(projects -> {
            Map<String, String> byName = projects.stream()
                    .collect(Collectors.toMap(Project::name, Project::fid, (a, b) -> a));
            projects.forEach(p -> byName.putIfAbsent(p.fid(), p.fid())); // a fid names itself
            projectFids = Map.copyOf(byName);
            projectsFetchedAt = clock.instant();
            String fid = byName.get(projectName);
            if (fid == null) {
                throw ValidationError.of(new FieldError("project", "`" + projectName
                        + "` is not a Mithril project this platform can use",
                        Suggestions.closestWithin(projectName, byName.keySet(), 3)));
            }
            return fid;
        });
    }

    /**
     * Every SSH key the bid gets, as fids: the task's ({@code ssh_keys}, by fid or name), the platform's configured
     * {@code mithril.ssh-keys}, the project's required keys, and the platform key.
     *
     * @throws ValidationError when a task key does not exist in the project, or there is no key at all
     */
    public Uni<List<String>> sshKeyFids(String projectFid, List<String> requested) {
        // the cached list serves while it knows every key the task names; a key it does not know may be new, so
        // the answer (and any "no such key" error) comes from a fresh list then
        return cachedSshKeys(projectFid)
                .chain(keys -> requested.stream().allMatch(r -> lookup(keys, r).isPresent())
                        ? Uni.createFrom().item(keys) : mithril.listSshKeys(projectFid))
                .map(keys -> {
                    Set<String> fids = new LinkedHashSet<>();
                    List<FieldError> errors = new ArrayList<>();
                    for (int i = 0; i < requested.size(); i++) {
                        Optional<SshKey> key = lookup(keys, requested.get(i));
                        if (key.isPresent()) {
                            fids.add(key.get().fid());
                        } else {
                            errors.add(new FieldError("ssh_keys[" + i + "]", "no SSH key `" + requested.get(i)
                                    + "` in the project", Suggestions.closestWithin(requested.get(i),
                                    keys.stream().map(SshKey::name).toList(), 4)));
                        }
                    }
                    if (!errors.isEmpty()) {
                        throw ValidationError.of(errors);
                    }
                    for (String configured : configuredKeys) {
                        lookup(keys, configured).ifPresentOrElse(k -> fids.add(k.fid()),
                                () -> LOG.warnf("mithril.ssh-keys entry %s is not a key of project %s; skipped",
                                        configured, projectFid));
                    }
                    keys.stream().filter(SshKey::required).forEach(k -> fids.add(k.fid()));
                    platformKey.ifPresent(p -> lookup(keys, p).ifPresentOrElse(k -> fids.add(k.fid()),
                            () -> LOG.warnf("the platform SSH key %s is not a key of project %s: the log-streamer will not "
                                    + "reach this task's nodes", p, projectFid)));
                    if (fids.isEmpty()) {
                        throw ValidationError.of(new FieldError("ssh_keys", "no SSH key: the task names none, and the "
                                + "platform and project provide none", "add `ssh_keys` with a key name or fid of the project"));
                    }
                    return List.copyOf(fids);
                });
    }

    /**
     * The project's SSH keys, kept briefly ({@code quarkus.cache.caffeine."mithril-ssh-keys".expire-after-write}):
     * every submit needs them, and a key newly marked required at Mithril is picked up within that time.
     */
    @CacheResult(cacheName = "mithril-ssh-keys")
    Uni<List<SshKey>> cachedSshKeys(String projectFid) {
        return mithril.listSshKeys(projectFid);
    }

    private static Optional<SshKey> lookup(List<SshKey> keys, String fidOrName) {
        return keys.stream().filter(k -> fidOrName.equals(k.fid())).findFirst()
                .or(() -> keys.stream().filter(k -> fidOrName.equals(k.name())).findFirst());
    }

    /** The volumes' fids in the task's order, creating the missing ones (in the task's region). */
    public Uni<List<String>> volumeFids(String projectFid, String region, List<VolumeSpec> volumes) {
        if (volumes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(volumes)
                .onItem().transformToUniAndConcatenate(v -> ensureVolume(projectFid, region, v))
                .map(ensured -> ensured.volume().fid())
                .collect().asList();
    }

    /** A volume found by name, or created by this call. */
    public record EnsuredVolume(Volume volume, boolean created) {
    }

    /**
     * The live volume named {@code spec.name()} in the project and region, created when missing (the client's create
     * is idempotent by name). The one path for a task's volumes and {@code POST /v1/volumes}: an existing volume is
     * reused as it is (its size and interface are not compared here).
     */
    public Uni<EnsuredVolume> ensureVolume(String projectFid, String region, VolumeSpec spec) {
        return mithril.findVolumeByName(projectFid, region, spec.name())
                .chain(existing -> existing.map(v -> Uni.createFrom().item(new EnsuredVolume(v, false)))
                        .orElseGet(() -> mithril.createVolume(new CreateVolumeRequest(spec.name(), projectFid,
                                        spec.volumeInterface() == VolumeInterface.FILE ? DiskInterface.FILE
                                                : DiskInterface.BLOCK, region, spec.sizeGb()))
                                .map(v -> new EnsuredVolume(v, true))));
    }

    /** The project's live volumes, every region. */
    public Uni<List<Volume>> volumes(String projectFid) {
        return mithril.listVolumes(projectFid, null, false);
    }
}
