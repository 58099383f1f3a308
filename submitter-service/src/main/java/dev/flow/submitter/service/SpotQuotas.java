package dev.flow.submitter.service;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Quota;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.submitter.config.SubmitterConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The spot-quota check of a submit, from a short-lived copy of {@code GET /v2/quotas} per project (one Mithril call
 * per project per {@code flow.submitter.quota-cache-ttl}, shared by concurrent submits) kept current by the
 * platform's own bids: every check that passes reserves its instances in the copy, so the submits that follow see
 * them used before Mithril's next answer does. The copy only ever says yes: when it shows too few instances left,
 * a fresh read decides (a bid cancelled since then may have freed them), and only that read refuses. What the
 * copy cannot see (another replica's bids, bids placed outside the platform) is caught by Mithril itself: its
 * refusal of the bid stays the final word, mapped to the same {@link InsufficientQuotaError} by the client; a
 * failed bid drops the project's copy. An unreadable quota leaves the check to Mithril.
 */
@ApplicationScoped
public class SpotQuotas {

    private static final Logger LOG = Logger.getLogger(SpotQuotas.class);

    private final MithrilClient mithril;
    private final InstanceCatalog catalog;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> byProject = new ConcurrentHashMap<>();

    @Inject
    public SpotQuotas(MithrilClient mithril, InstanceCatalog catalog, SubmitterConfig config) {
        this(mithril, catalog, config.quotaCacheTtl(), Clock.systemUTC());
    }

    SpotQuotas(MithrilClient mithril, InstanceCatalog catalog, Duration ttl, Clock clock) {
        this.mithril = mithril;
        this.catalog = catalog;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Mithril's answer at {@code fetchedAt}, less the instances this replica reserved since, by quota fid. */
    private record Snapshot(List<Quota> quotas, Instant fetchedAt, Map<String, Long> reserved) {

        Optional<Quota> spot(Set<String> typeFids) {
            return quotas.stream().filter(q -> "Spot".equalsIgnoreCase(q.productType()) && q.instanceType() != null
                    && typeFids.contains(q.instanceType())).findFirst();
        }

        long remaining(Quota quota) {
            return Math.max(0, quota.remaining() - reserved.getOrDefault(quota.fid(), 0L));
        }

        /** Takes {@code quantity} when that many are left (atomically, against concurrent submits). */
        boolean reserve(Quota quota, long quantity) {
            boolean[] taken = {false};
            reserved.compute(quota.fid(), (fid, used) -> {
                long now = used == null ? 0 : used;
                if (quota.remaining() - now >= quantity) {
                    taken[0] = true;
                    return now + quantity;
                }
                return now;
            });
            return taken[0];
        }
    }

    /**
     * Refuses, before anything is written or placed, a task whose instances exceed the project's spot quota of the
     * chosen type (a {@code Spot} quota names the type by one region's FID, so it is matched by catalog name), and
     * otherwise counts them as used until Mithril's next answer.
     */
    public Uni<Void> require(String project, String projectFid, Placement placement, int quantity) {
        return typeFids(placement).chain(typeFids -> snapshot(projectFid, false).chain(cached -> {
            Optional<Quota> quota = cached.snapshot().spot(typeFids);
            if (quota.isEmpty() || cached.snapshot().reserve(quota.get(), quantity)) {
                return Uni.createFrom().voidItem();
            }
            // the copy says no: a fresh read decides (a cancel may have freed instances since)
            Uni<Snapshot> fresher = cached.now() ? Uni.createFrom().item(cached.snapshot())
                    : snapshot(projectFid, true).map(Read::snapshot);
            return fresher.map(fresh -> {
                Optional<Quota> now = fresh.spot(typeFids);
                if (now.isPresent() && !fresh.reserve(now.get(), quantity)) {
                    throw refusal(project, placement, now.get(), fresh.remaining(now.get()), quantity);
                }
                return null;
            });
        })).onFailure(SpotQuotas::unreadable).recoverWithItem(failure -> {
            LOG.warnf("quota of %s not readable, left to Mithril: %s", project, failure.toString());
            return null;
        }).replaceWithVoid();
    }

    /** A bid of the project failed (Mithril may have refused it on quota): the next check reads Mithril again. */
    public void forget(String projectFid) {
        byProject.remove(projectFid);
    }

    private Uni<Set<String>> typeFids(Placement placement) {
        return catalog.instanceTypes().map(types -> types.stream()
                .filter(it -> placement.instanceTypeName().equals(it.name()))
                .map(dev.flow.mithril.client.model.InstanceType::fid).collect(Collectors.toSet()));
    }

    /** One read of Mithril for a project; {@code fetchedAt} is set once it answered. */
    private static final class Entry {
        final Uni<Snapshot> read;
        volatile Instant fetchedAt;

        Entry(Uni<Snapshot> read) {
            this.read = read;
        }
    }

    /** A copy, and whether this call read it from Mithril (then it is as fresh as it can be). */
    private record Read(Snapshot snapshot, boolean now) {
    }

    /**
     * The project's copy: the cached one while younger than the TTL (unless {@code fresh}), else one read of Mithril
     * that every concurrent caller shares.
     */
    private Uni<Read> snapshot(String projectFid, boolean fresh) {
        Entry[] mine = {null};
        Entry entry = byProject.compute(projectFid, (fid, cached) -> {
            Instant at = cached == null ? null : cached.fetchedAt;
            if (cached != null && !fresh && (at == null || at.plus(ttl).isAfter(clock.instant()))) {
                return cached; // fresh enough, or still being read: shared
            }
            mine[0] = new Entry(mithril.quotas(fid)
                    .map(quotas -> new Snapshot(quotas, clock.instant(), new ConcurrentHashMap<>()))
                    .invoke(snapshot -> mine[0].fetchedAt = snapshot.fetchedAt())
                    .onFailure().invoke(failure -> byProject.remove(fid, mine[0]))
                    .memoize().indefinitely());
            return mine[0];
        });
        return entry.read.map(snapshot -> new Read(snapshot, entry == mine[0]));
    }

    private static boolean unreadable(Throwable failure) {
        return !(failure instanceof FlowError) || failure instanceof FlowServiceError
                || failure instanceof FlowTimeoutError;
    }

    private static InsufficientQuotaError refusal(String project, Placement placement, Quota quota, long left,
                                                  int quantity) {
        return new InsufficientQuotaError("project " + project + " has " + left + " of its " + quota.totalQuantity()
                + " " + placement.instanceTypeName() + " spot instances left (" + (quota.totalQuantity() - left)
                + " in use); the task needs " + quantity,
                List.of(left > 0 ? "ask for num_instances <= " + left
                                : "cancel running or pending tasks of this instance type",
                        "choose another instance type, or ask Mithril for a larger quota"));
    }
}
