package dev.flow.cost.service;

import dev.flow.service.vertx.VertxContexts;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import dev.flow.cost.config.CostSettings;
import dev.flow.cost.domain.InstanceReconciliation.Status;
import dev.flow.cost.messaging.CostUpdatePublisher;
import dev.flow.cost.repository.ReconciliationRepository.Candidate;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.InstancePricingHistory;
import dev.flow.model.error.ResourceNotFoundError;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Reconciles the ledger with Mithril's billing ({@code GET /v2/instances/pricing/history}, integer cents per hour):
 * every {@code flow.cost.reconcile-every}, each instance whose ledger intervals are all closed and that is not
 * reconciled yet is looked up; when Mithril has closed every priced interval of it, those intervals replace the
 * status-based ones in every amount (see {@link CostLines}) and the difference is recorded. Only reads Mithril.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final MithrilClient mithril;
    private final ReconciliationStore store;
    private final CostSettings settings;
    private final Clock clock;
    /** Project name → Mithril project fid; a project's fid never changes. */
    private final Map<String, String> projectFids = new ConcurrentHashMap<>();

    private final CostUpdatePublisher updates;

    public Reconciler(MithrilClient mithril, ReconciliationStore store, CostSettings settings, Clock clock,
                      CostUpdatePublisher updates) {
        this.updates = updates;
        this.mithril = mithril;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    @Scheduled(every = "${flow.cost.reconcile-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return reconcileDue()
                .onFailure().invoke(e -> LOG.warnf("reconciliation round failed: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One round: every due instance (up to a batch); returns how many got reconciled. Call on a Vert.x context. */
    public Uni<Integer> reconcileDue() {
        Executor context = VertxContexts.current();
        return store.due(settings.reconcileAttempts(), settings.reconcileBatch())
                .flatMap(due -> Multi.createFrom().iterable(due)
                        .onItem().transformToUniAndConcatenate(candidate -> reconcile(candidate, context))
                        .filter(status -> status == Status.RECONCILED)
                        .collect().asList())
                .map(List::size);
    }

    private Uni<Status> reconcile(Candidate candidate, Executor context) {
        Uni<List<InstancePricingHistory>> history = projectFid(candidate.project())
                .flatMap(fid -> mithril.instancePricingHistory(HistoryQuery.forInstance(fid, candidate.instanceFid()))
                        .collect().asList());
        return history.emitOn(context)
                .flatMap(found -> {
                    List<InstancePricingHistory.Event> events = found.stream()
                            .filter(h -> candidate.instanceFid().equals(h.instanceFid()))
                            .flatMap(h -> h.events().stream()).toList();
                    boolean known = found.stream().anyMatch(h -> candidate.instanceFid().equals(h.instanceFid()));
                    return store.record(candidate, events, known, clock.instant());
                })
                .invoke(status -> LOG.infof("instance %s of task %s: %s", candidate.instanceFid(), candidate.taskId(),
                        status))
                // the reconciled amount replaces the estimate: the task's total moved, so say so now
                .call(status -> status == Status.RECONCILED ? updates.publishTasks(List.of(candidate.taskId()))
                        : Uni.createFrom().voidItem())
                .onFailure().recoverWithItem(e -> {
                    // Mithril unreachable or the project unknown there: the instance stays due, next round retries
                    LOG.warnf("reconciling instance %s of task %s failed: %s", candidate.instanceFid(),
                            candidate.taskId(), e.toString());
                    return null;
                });
    }

    private Uni<String> projectFid(String project) {
        String known = projectFids.get(project);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return mithril.projects().map(all -> all.stream().filter(p -> p.name().equals(project)).findFirst()
                .map(p -> {
                    projectFids.put(project, p.fid());
                    return p.fid();
                })
                .orElseThrow(() -> new ResourceNotFoundError("project " + project + " not found at Mithril")));
    }

}
