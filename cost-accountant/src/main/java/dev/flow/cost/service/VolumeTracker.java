package dev.flow.cost.service;

import dev.flow.service.vertx.VertxContexts;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.flow.cost.domain.VolumeCost;
import dev.flow.cost.repository.VolumeCostRepository;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Project;
import dev.flow.mithril.client.model.Volume;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Follows every volume of the projects Mithril's key can see ({@code GET /v2/projects}, then
 * {@code GET /v2/volumes?project=&include_deleted=true}) every {@code flow.cost.volumes-every}, into
 * {@code volume_cost}: its size and its life from Mithril's {@code created_at} to its {@code deleted_at}. A volume
 * gone from the list without a {@code deleted_at} is taken as deleted at the first poll that missed it. Read-only.
 */
@ApplicationScoped
public class VolumeTracker {

    private static final Logger LOG = Logger.getLogger(VolumeTracker.class);

    private final MithrilClient mithril;
    private final VolumeCostRepository volumes;
    private final Clock clock;

    public VolumeTracker(MithrilClient mithril, VolumeCostRepository volumes, Clock clock) {
        this.mithril = mithril;
        this.volumes = volumes;
        this.clock = clock;
    }

    @Scheduled(every = "${flow.cost.volumes-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return poll()
                .onFailure().invoke(e -> LOG.warnf("polling volumes failed (retried at the next poll): %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One poll of every visible project; call on a Vert.x context. */
    public Uni<Void> poll() {
        Executor context = VertxContexts.current();
        return mithril.projects().emitOn(context)
                .flatMap(projects -> Multi.createFrom().iterable(projects)
                        .onItem().transformToUniAndConcatenate(project -> pollProject(project, context))
                        .collect().last())
                .replaceWithVoid();
    }

    private Uni<Void> pollProject(Project project, Executor context) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return mithril.listVolumes(project.fid(), null, true).emitOn(context)
                .flatMap(listed -> record(project.name(), listed, now));
    }

    Uni<Void> record(String project, List<Volume> listed, Instant now) {
        return Panache.withTransaction(() -> store(project, listed, now));
    }

    private Uni<Void> store(String project, List<Volume> listed, Instant now) {
        Map<String, Volume> byFid = listed.stream().collect(Collectors.toMap(Volume::fid, Function.identity(),
                (a, b) -> a));
        return volumes.ofProject(project).flatMap(known -> {
            Map<String, VolumeCost> rows = known.stream().collect(Collectors.toMap(v -> v.volumeFid,
                    Function.identity()));
            for (VolumeCost row : known) {
                if (row.deletedAt == null && !byFid.containsKey(row.volumeFid)) {
                    row.deletedAt = now.isBefore(row.createdAt) ? row.createdAt : now;
                    row.deletedBy = "poll";
                }
            }
            List<VolumeCost> created = new java.util.ArrayList<>();
            for (Volume volume : listed) {
                VolumeCost row = rows.get(volume.fid());
                if (row == null) {
                    row = new VolumeCost();
                    row.volumeFid = volume.fid();
                    row.project = project;
                    created.add(row);
                }
                row.name = volume.name();
                row.region = volume.region();
                row.sizeGb = volume.capacityGb();
                row.createdAt = volume.createdAt().truncatedTo(ChronoUnit.MICROS);
                row.lastSeenAt = now;
                if (volume.deletedAt() != null) {
                    row.deletedAt = volume.deletedAt().truncatedTo(ChronoUnit.MICROS);
                    row.deletedBy = "mithril";
                }
            }
            return created.isEmpty() ? Uni.createFrom().voidItem() : volumes.persist(created);
        });
    }

}
