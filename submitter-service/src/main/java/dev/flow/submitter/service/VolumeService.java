package dev.flow.submitter.service;

import dev.flow.service.vertx.VertxContexts;
import dev.flow.mithril.client.MithrilApiException;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.mithril.client.model.Volume;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.error.ValidationError;
import dev.flow.mithril.client.model.UpdateBidRequest;
import dev.flow.model.status.TaskStatus;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.model.task.VolumeInterface;
import dev.flow.model.task.VolumeSpec;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The project's persistent volumes (the seed's {@code create_volume / list_volumes / delete_volume}). Creation goes
 * through {@link MithrilDirectory#ensureVolume}, the same path as a task's volumes, so a volume made here is the one a
 * task naming it later attaches (when it runs in the same region).
 */
@ApplicationScoped
public class VolumeService {

    private static final Logger LOG = Logger.getLogger(VolumeService.class);

    private final MithrilClient mithril;
    private final MithrilDirectory directory;
    private final InstanceCatalog catalog;
    private final TaskStore store;

    public VolumeService(MithrilClient mithril, MithrilDirectory directory, InstanceCatalog catalog, TaskStore store) {
        this.mithril = mithril;
        this.directory = directory;
        this.catalog = catalog;
        this.store = store;
    }

    /** A volume with the platform tasks its bids belong to. */
    public record AttachedVolume(Volume volume, Map<String, String> taskByBid, boolean created) {
    }

    /**
     * Creates the volume, or returns the live one of that name in the region when it has the same size and interface
     * (a retried create); another size or interface under that name is a 422 on {@code name}.
     *
     * @param region null: {@link InstanceCatalog#defaultRegion()}
     */
    public Uni<AttachedVolume> create(String project, VolumeSpec spec, String region) {
        Executor context = VertxContexts.current();
        return directory.projectFid(project)
                .chain(projectFid -> (region != null ? Uni.createFrom().item(region) : catalog.defaultRegion())
                        .chain(r -> directory.ensureVolume(projectFid, r, spec)))
                .invoke(ensured -> {
                    if (!ensured.created()) {
                        requireSame(ensured.volume(), spec);
                    } else {
                        LOG.infof("volume %s (%s) created in %s for project %s", ensured.volume().name(),
                                ensured.volume().fid(), ensured.volume().region(), project);
                    }
                })
                .onFailure(MithrilApiException.class).transform(e -> ((MithrilApiException) e).toFlowError())
                .chain(ensured -> withTasks(ensured.volume(), ensured.created(), context));
    }

    private static void requireSame(Volume existing, VolumeSpec spec) {
        VolumeInterface kind = existing.diskInterface() == DiskInterface.FILE ? VolumeInterface.FILE : VolumeInterface.BLOCK;
        if (existing.capacityGb() != spec.sizeGb() || kind != spec.volumeInterface()) {
            throw ValidationError.of(new FieldError("name", "a " + kind.json() + " volume `" + existing.name()
                    + "` of " + existing.capacityGb() + " GB already exists in " + existing.region() + " ("
                    + existing.fid() + ")", "use another name, or size_gb " + existing.capacityGb()
                    + " and interface " + kind.json() + " to get that volume"));
        }
    }

    /** The project's live volumes, newest first. */
    public Uni<List<AttachedVolume>> list(String project, int limit) {
        Executor context = VertxContexts.current();
        return directory.projectFid(project).chain(directory::volumes)
                .onFailure(MithrilApiException.class).transform(e -> ((MithrilApiException) e).toFlowError())
                .chain(volumes -> {
                    List<Volume> newest = volumes.stream()
                            .sorted(Comparator.comparing(Volume::createdAt, Comparator.nullsLast(Comparator.reverseOrder()))
                                    .thenComparing(Volume::fid))
                            .limit(limit).toList();
                    List<String> bids = newest.stream().flatMap(v -> v.bids().stream()).distinct().toList();
                    return VertxContexts.backTo(context, Uni.createFrom().voidItem())
                            .chain(() -> store.tasksOfBids(bids))
                            .map(tasks -> newest.stream().map(v -> new AttachedVolume(v, only(tasks, v), false)).toList());
                });
    }

    /**
     * Deletes a volume of the project, named by fid or by name. Refused (409, naming the task) while a bid that is
     * not terminated uses it; 404 when the project has no such volume (another project's volume included).
     */
    public Uni<Void> delete(String project, String idOrName) {
        Executor context = VertxContexts.current();
        return directory.projectFid(project).chain(directory::volumes)
                .map(volumes -> find(volumes, idOrName))
                .chain(volume -> liveBids(volume)
                        .chain(live -> live.isEmpty() ? Uni.createFrom().voidItem()
                                : VertxContexts.backTo(context, Uni.createFrom().voidItem())
                                        .chain(() -> store.tasksOfBids(live))
                                        .chain(tasks -> Uni.createFrom().<Void>failure(attached(volume, live, tasks))))
                        .chain(() -> mithril.deleteVolume(volume.fid()))
                        .invoke(() -> LOG.infof("volume %s (%s) of project %s deleted", volume.name(), volume.fid(),
                                project)))
                .onFailure(MithrilApiException.class).transform(e -> ((MithrilApiException) e).toFlowError());
    }

    private static Volume find(List<Volume> volumes, String idOrName) {
        Optional<Volume> byFid = volumes.stream().filter(v -> v.fid().equals(idOrName)).findFirst();
        if (byFid.isPresent()) {
            return byFid.get();
        }
        List<Volume> byName = volumes.stream().filter(v -> idOrName.equals(v.name())).toList();
        if (byName.size() > 1) {
            // Mithril names are unique per region only
            throw new ValidationError("several volumes are named " + idOrName, List.of(new FieldError("volume",
                    "`" + idOrName + "` names a volume in each of " + byName.stream().map(Volume::region).toList()
                            + "; delete one by its id", byName.getFirst().fid())),
                    byName.stream().map(Volume::fid).toList());
        }
        if (byName.isEmpty()) {
            throw new ResourceNotFoundError("volume " + idOrName + " not found");
        }
        return byName.getFirst();
    }

    /** The bids using the volume that are not terminated (asked of Mithril: the volume's list may lag). */
    private Uni<List<String>> liveBids(Volume volume) {
        if (volume.bids().isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(volume.bids())
                .onItem().transformToUniAndConcatenate(fid -> mithril.getBid(fid).map(Optional::of)
                        .onFailure(ResourceNotFoundError.class).recoverWithItem(Optional.<Bid>empty()))
                .filter(bid -> bid.isPresent() && bid.get().status() != BidStatus.TERMINATED)
                .map(bid -> bid.get().fid())
                .collect().asList();
    }

    /** The result of {@link #mount}. */
    public record Mounted(TaskEntity task, Volume volume, String mountPath, Integer blockIndex, boolean restarted) {
    }

    /**
     * The seed's {@code mount_volume}: attaches a volume of the task's project to the task's bid. Mithril changes a
     * bid's volumes only while the bid is paused ({@code PATCH /v2/spot/bids/{fid}}), so a running bid is paused,
     * patched and resumed (resumed even when the patch fails, so a refused mount never leaves the task paused).
     * Errors as the seed: unknown task or volume → {@code ResourceNotFoundError}; another region, or already attached
     * (to this task, or a block volume to another live bid) → {@code ValidationError} on {@code volume}; a task that
     * ended or has no bid yet → {@code TaskExecutionError}.
     */
    public Uni<Mounted> mount(String taskId, Collection<String> visibleProjects, String idOrName, String mountPath) {
        Executor context = VertxContexts.current();
        return store.find(taskId).chain(task -> {
            if (task == null || !visibleProjects.contains(task.project)) {
                return Uni.createFrom().failure(new ResourceNotFoundError("task " + taskId + " not found"));
            }
            if (TaskStatus.parse(task.status).isTerminal() || task.cancelRequestedAt != null) {
                return Uni.createFrom().failure(new TaskExecutionError("task " + taskId + " has ended ("
                        + task.status + "); a volume can only be mounted to a live task",
                        List.of("submit a new task with the volume in its config (volumes: [{name: " + idOrName
                                + "}])")));
            }
            if (task.bidFid == null) {
                return Uni.createFrom().failure(new TaskExecutionError("task " + taskId + " has no bid yet",
                        List.of("retry in a few seconds")));
            }
            return directory.volumes(task.projectFid)
                    .chain(volumes -> {
                        Volume volume = findForTask(volumes, idOrName, task);
                        return mithril.getBid(task.bidFid).chain(bid -> attach(task, bid, volume,
                                mountPath == null ? "/volumes/" + volume.name() : mountPath, volumes));
                    })
                    .chain(mounted -> VertxContexts.backTo(context, Uni.createFrom().item(mounted)))
                    .call(mounted -> store.recordMount(task.id, new VolumeSpec(mounted.volume().name(),
                            (int) mounted.volume().capacityGb(), mounted.mountPath(),
                            mounted.volume().diskInterface() == DiskInterface.FILE ? VolumeInterface.FILE
                                    : VolumeInterface.BLOCK)))
                    .chain(mounted -> store.find(task.id).map(t -> new Mounted(t, mounted.volume(),
                            mounted.mountPath(), mounted.blockIndex(), mounted.restarted())))
                    .onFailure(MithrilApiException.class).transform(e -> ((MithrilApiException) e).toFlowError());
        });
    }

    /** The volume by fid, else by name: in the task's region first (names are unique per region only). */
    private static Volume findForTask(List<Volume> volumes, String idOrName, TaskEntity task) {
        Volume volume = volumes.stream().filter(v -> v.fid().equals(idOrName)).findFirst()
                .or(() -> volumes.stream().filter(v -> idOrName.equals(v.name()) && task.region.equals(v.region()))
                        .findFirst())
                .or(() -> volumes.stream().filter(v -> idOrName.equals(v.name())).findFirst())
                .orElseThrow(() -> new ResourceNotFoundError("volume " + idOrName + " not found",
                        List.of("create it first: POST /v1/volumes {\"name\": \"" + idOrName + "\", \"size_gb\": 100, "
                                + "\"region\": \"" + task.region + "\"}")));
        if (!task.region.equals(volume.region())) {
            throw ValidationError.of(new FieldError("volume", "volume " + volume.name() + " (" + volume.fid()
                    + ") is in region " + volume.region() + " but task " + task.id + " runs in " + task.region,
                    "create a volume in " + task.region + " and mount that one"));
        }
        if (task.bidFid != null && volume.bids().contains(task.bidFid)) {
            throw ValidationError.of(new FieldError("volume", "volume " + volume.name() + " (" + volume.fid()
                    + ") is already attached to task " + task.id, "nothing to do: it is mounted already"));
        }
        return volume;
    }

    private Uni<Mounted> attach(TaskEntity task, Bid bid, Volume volume, String mountPath, List<Volume> all) {
        if (bid.status() == BidStatus.TERMINATED) {
            return Uni.createFrom().failure(new TaskExecutionError("task " + task.id + " has ended (its bid "
                    + bid.fid() + " is terminated)", List.of()));
        }
        return liveBids(volume).chain(live -> {
            if (volume.diskInterface() != DiskInterface.FILE && !live.isEmpty()) {
                return Uni.createFrom().failure(ValidationError.of(new FieldError("volume", "block volume "
                        + volume.name() + " (" + volume.fid() + ") is already attached to bid " + live.getFirst()
                        + "; a block volume is attached to one bid at a time", "use a file volume to share data, "
                        + "or mount it once that task has ended")));
            }
            List<String> wanted = new ArrayList<>(bid.launchSpecification().volumes());
            wanted.add(volume.fid());
            boolean pause = bid.status() != BidStatus.PAUSED;
            Uni<Bid> patched = (pause ? mithril.pauseBid(bid.fid()) : Uni.createFrom().item(bid))
                    .chain(() -> mithril.updateBid(bid.fid(), UpdateBidRequest.volumes(wanted)));
            if (pause) {
                patched = patched
                        .onFailure().call(() -> mithril.resumeBid(bid.fid()).onFailure().recoverWithNull())
                        .call(() -> mithril.resumeBid(bid.fid()));
            }
            Integer index = volume.diskInterface() == DiskInterface.FILE ? null
                    : (int) wanted.subList(0, wanted.size() - 1).stream().filter(fid -> all.stream().anyMatch(
                    v -> v.fid().equals(fid) && v.diskInterface() != DiskInterface.FILE)).count();
            return patched.map(ignored -> {
                LOG.infof("task %s: volume %s (%s) attached to bid %s at %s%s", task.id, volume.name(), volume.fid(),
                        bid.fid(), mountPath, pause ? " (paused and resumed)" : "");
                return new Mounted(task, volume, mountPath, index, pause);
            });
        });
    }

    private static TaskExecutionError attached(Volume volume, List<String> bids, Map<String, String> tasks) {
        String to = bids.stream().map(b -> tasks.containsKey(b) ? "task " + tasks.get(b) + " (bid " + b + ")"
                : "bid " + b).reduce((a, b) -> a + ", " + b).orElseThrow();
        List<String> suggestions = bids.stream().filter(tasks::containsKey)
                .map(b -> "cancel task " + tasks.get(b) + " first").toList();
        return new TaskExecutionError("volume " + volume.name() + " (" + volume.fid() + ") is attached to " + to
                + "; it can be deleted once that has ended", suggestions);
    }

    private Uni<AttachedVolume> withTasks(Volume volume, boolean created, Executor context) {
        return VertxContexts.backTo(context, Uni.createFrom().voidItem())
                .chain(() -> store.tasksOfBids(volume.bids()))
                .map(tasks -> new AttachedVolume(volume, only(tasks, volume), created));
    }

    private static Map<String, String> only(Map<String, String> tasks, Volume volume) {
        Map<String, String> out = new LinkedHashMap<>();
        volume.bids().forEach(b -> out.put(b, tasks.get(b)));
        return out;
    }
}
