package dev.flow.submitter.service;

import dev.flow.service.vertx.VertxContexts;
import dev.flow.mithril.client.MithrilApiException;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.event.TaskSubmitted;
import dev.flow.model.instance.InstanceType;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.TaskConfigs;
import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.domain.TaskEntity;
import dev.flow.submitter.messaging.EventSizes;
import dev.flow.submitter.messaging.OutboxRelay;
import dev.flow.submitter.repository.TaskRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The submitter's use cases: submit (validate → resolve against the live catalog → build the script → place the
 * bid), cancel, read. Order of a submission, chosen so nothing is left half-done:
 * <ol>
 *   <li>everything that can be refused is checked before Mithril is changed (config, script size, catalog, keys);</li>
 *   <li>the bid is placed under the name {@code flow-<task id>} (idempotent create-by-name), then one transaction
 *       writes the task row with the bid fid and {@code TaskSubmitted} and {@code BidPlaced} in the outbox. With an
 *       {@code Idempotency-Key} the row (holding the key) is written before the bid instead, so a concurrent twin or
 *       a retry after a crash finds it, and that transaction records the bid on it ({@code SubmissionReconciler}
 *       finishes it after a crash). Without a key a crash in between leaves a bid without a task, cancelled as an
 *       orphan ({@code StopTask(ORPHAN)});</li>
 *   <li>a refused bid marks the task failed and publishes nothing (no other service ever heard of it); a bid Mithril
 *       could not take now (busy or down through every retry, and not found by name) leaves no task at all, and the
 *       client is told to retry.</li>
 * </ol>
 */
@ApplicationScoped
public class TaskService {

    private static final Logger LOG = Logger.getLogger(TaskService.class);
    /** Retry-After of a submit Mithril could not take now, when Mithril named none (or one longer than the cap). */
    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);
    /** {@code requestedBy} of what the submitter decides itself. */
    static final String SELF = "submitter-service";

    private final MithrilClient mithril;
    private final InstanceCatalog catalog;
    private final MithrilDirectory directory;
    private final TaskStore store;
    private final OutboxRelay relay;
    private final SubmitterConfig config;
    private final FaultHooks faults;
    private final BidCancellation cancellation;
    private final SpotQuotas quotas;

    public TaskService(MithrilClient mithril, InstanceCatalog catalog, MithrilDirectory directory, TaskStore store,
                       OutboxRelay relay, SubmitterConfig config, FaultHooks faults, BidCancellation cancellation,
                       SpotQuotas quotas) {
        this.faults = faults;
        this.cancellation = cancellation;
        this.quotas = quotas;
        this.mithril = mithril;
        this.catalog = catalog;
        this.directory = directory;
        this.store = store;
        this.relay = relay;
        this.config = config;
    }

    /** A submission's result: the task, and whether this request created it (false: an Idempotency-Key replay). */
    public record Submission(TaskEntity task, boolean created) {
    }

    /**
     * Submits a task once per {@code idempotencyKey} (per project): a repeated key with the same body returns the
     * first task (whatever its state) and places no second bid; with another body it is a 422 on
     * {@code Idempotency-Key} (a client reusing a key by mistake must not get an unrelated task back). Without a key
     * every call submits.
     */
    public Uni<Submission> submit(String json, String project, String caller, String idempotencyKey) {
        if (idempotencyKey == null) {
            return doSubmit(json, project, caller, null, null).map(t -> new Submission(t, true));
        }
        String fingerprint = RequestFingerprint.of(json);
        Executor context = VertxContexts.current();
        return store.findByIdempotencyKey(project, idempotencyKey).chain(existing -> existing != null
                ? Uni.createFrom().item(replay(existing, idempotencyKey, fingerprint))
                : doSubmit(json, project, caller, idempotencyKey, fingerprint).map(t -> new Submission(t, true))
                        // a concurrent request with the same key won the insert: answer with its task
                        .onFailure(TaskService::isDuplicateKey).recoverWithUni(failure ->
                                VertxContexts.backTo(context, Uni.createFrom().voidItem())
                                        .chain(() -> store.findByIdempotencyKey(project, idempotencyKey))
                                        .chain(winner -> winner != null
                                                ? Uni.createFrom().item(replay(winner, idempotencyKey, fingerprint))
                                                : Uni.createFrom().failure(failure))));
    }

    /** A unique-index violation (PostgreSQL 23505): here, another request inserted the same Idempotency-Key. */
    static boolean isDuplicateKey(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof org.hibernate.exception.ConstraintViolationException) {
                return true;
            }
        }
        return false;
    }

    /** The first task of a key, when the request is the one the key was first used with. */
    private static Submission replay(TaskEntity first, String idempotencyKey, String fingerprint) {
        // rows written before fingerprints were stored (V3) have none: replayed as before
        if (first.requestSha256 != null && !first.requestSha256.equals(fingerprint)) {
            throw new ValidationError("Idempotency-Key " + idempotencyKey + " was already used with a different "
                    + "request body (task " + first.id + ")", List.of(new FieldError("Idempotency-Key",
                    "was already used for task " + first.id + " with a different request body; a retry must send "
                            + "the same body", "use a new Idempotency-Key for a new task")), List.of());
        }
        return new Submission(first, false);
    }

    /**
     * Submits a task from its JSON config.
     *
     * @param project the caller's project (already checked against the token)
     * @param caller  the token's subject, recorded as the task's creator
     */
    private Uni<TaskEntity> doSubmit(String json, String project, String caller, String idempotencyKey,
                                     String fingerprint) {
        TaskConfig taskConfig;
        String taskId = TaskIds.next();
        String script;
        try {
            taskConfig = TaskConfigs.parse(json);
            // built first: a script that cannot be shipped is refused before anything reaches Mithril
            script = StartupScriptBuilder.forTask(taskId, taskConfig).build();
            // an event Kafka cannot take would stop at the relay: refused now, before a bid exists
            EventSizes.requireFits(new TaskSubmitted(taskId, project, taskConfig.name(), taskConfig.instanceType(),
                    taskConfig.numInstances(), null, null, taskConfig, Instant.now()), config.eventSource(),
                    config.outbox().maxEventBytes(), taskConfig.redacted());
        } catch (FlowError e) {
            return Uni.createFrom().failure(e);
        }
        Executor context = VertxContexts.current();
        TaskConfig redacted = taskConfig.redacted();
        int quantity = taskConfig.numInstances();
        return directory.projectFid(project).chain(projectFid -> placement(taskConfig)
                .call(placement -> quotas.require(project, projectFid, placement, quantity))
                .chain(placement -> directory.sshKeyFids(projectFid, taskConfig.sshKeys())
                        .chain(keys -> directory.volumeFids(projectFid, placement.region(), taskConfig.volumes())
                                .map(volumes -> LaunchSpecification.of(keys, volumes, script)))
                        .chain(launch -> {
                            Money limit = limitPrice(taskConfig, placement);
                            TaskEntity task = newTask(taskId, project, projectFid, caller, redacted, placement, limit);
                            task.idempotencyKey = idempotencyKey;
                            task.requestSha256 = fingerprint;
                            CreateBidRequest bid = new CreateBidRequest(projectFid, placement.region(),
                                    placement.instanceTypeFid(), limit, quantity, task.bidName, launch);
                            if (idempotencyKey == null) {
                                // nothing to reserve first: the bid, then one transaction records the outcome
                                return placeBid(task, bid, redacted, context, false);
                            }
                            // the key is taken (unique) before the bid, so a concurrent twin places none
                            return VertxContexts.backTo(context, Uni.createFrom().item(task))
                                    .chain(store::insertPending)
                                    .chain(() -> placeBid(task, bid, redacted, context, true));
                        })))
                .onFailure(MithrilApiException.class).transform(e -> ((MithrilApiException) e).toFlowError());
    }

    /**
     * Places the bid and records the outcome in one transaction.
     *
     * @param rowWritten whether the task row exists already (pending, written before the bid: with an
     *                   Idempotency-Key); without it the outcome's transaction writes the row. A crash between the bid
     *                   and that transaction leaves a bid {@code flow-<task id>} with no task, which the poller
     *                   reports and {@link #cancelOrphanBids} cancels (the client never learnt the task's id).
     */
    private Uni<TaskEntity> placeBid(TaskEntity task, CreateBidRequest request, TaskConfig redacted, Executor context,
                                     boolean rowWritten) {
        return VertxContexts.backTo(context, mithril.createBid(request))
                .onFailure(dev.flow.mithril.client.OutcomeUnknownException.class).recoverWithUni(unknown -> {
                    // the bid may exist: the task stays pending, SubmissionReconciler adopts the bid or fails it
                    LOG.warnf("task %s: outcome of bid %s unknown, left to the reconciler: %s", task.id, task.bidName,
                            unknown.getMessage());
                    return VertxContexts.backTo(context, Uni.createFrom().voidItem())
                            .chain(() -> rowWritten ? Uni.createFrom().voidItem() : store.insertPending(task))
                            .chain(() -> Uni.createFrom().failure(new FlowServiceError("Mithril did not say "
                            + "whether bid " + task.bidName + " of task " + task.id + " was placed; the task is kept "
                            + "and completed (bid adopted) or failed within " + config.reconcile().grace().toMinutes()
                            + " min", 503, List.of("follow GET /v1/tasks/" + task.id, "a retry with the same "
                            + "Idempotency-Key returns this task"), unknown)));
                })
                .onFailure(f -> !(f instanceof FlowServiceError fse
                        && fse.getCause() instanceof dev.flow.mithril.client.OutcomeUnknownException))
                .recoverWithUni(failure -> {
                    if (MithrilApiException.isTemporary(failure)) {
                        return notPlacedForNow(task, failure, context, rowWritten);
                    }
                    FlowError error = failure instanceof MithrilApiException api ? api.toFlowError()
                            : failure instanceof FlowError flow ? flow : null;
                    String message = "Mithril refused the bid: " + (error != null ? error.getMessage() : failure.toString());
                    LOG.warnf("task %s: bid %s not placed: %s", task.id, task.bidName, message);
                    quotas.forget(task.projectFid); // Mithril may have refused on quota: its next answer counts
                    return VertxContexts.backTo(context, Uni.createFrom().voidItem())
                            .chain(() -> rowWritten ? store.recordSubmitFailed(task.id, message, Instant.now())
                                    : store.insertFailed(task, message, Instant.now()))
                            .chain(() -> Uni.createFrom().failure(error != null ? error : failure));
                })
                .call(bid -> faults.afterBidPlaced(task.name))
                .chain(bid -> rowWritten ? store.recordBidPlaced(task.id, bid.fid(), redacted, Instant.now())
                        : store.insertPlaced(task, bid.fid(), redacted, Instant.now()))
                // a cancel that arrived while the bid was being placed had no bid to cancel yet
                .call(saved -> saved.cancelRequestedAt != null ? cancelBid(saved, context) : Uni.createFrom().voidItem())
                .invoke(saved -> {
                    LOG.infof("task %s: bid %s (%s) placed: %s x%d in %s at %s", saved.id, saved.bidName, saved.bidFid,
                            saved.instanceTypeName, saved.numInstances, saved.region, Money.of(saved.limitPrice));
                    relay.kick();
                });
    }

    /**
     * Mithril was busy or down through all of the client's retries, and the look-up by name found no bid: nothing was
     * created, so nothing is kept. Failing the task would turn a passing outage into a final answer, which the
     * client's retry with the same {@code Idempotency-Key} would then replay; instead the pending row goes, and the
     * answer is a 503 with {@code Retry-After} saying so.
     */
    private <T> Uni<T> notPlacedForNow(TaskEntity task, Throwable failure, Executor context, boolean rowWritten) {
        LOG.warnf("task %s: bid %s not placed, Mithril busy or down; nothing kept, the client may retry: %s", task.id,
                task.bidName, failure.getMessage());
        Duration retryAfter = failure instanceof MithrilApiException api
                ? api.retryAfter().filter(d -> d.compareTo(MAX_RETRY_AFTER) <= 0).orElse(DEFAULT_RETRY_AFTER)
                : DEFAULT_RETRY_AFTER;
        FlowError answer = new FlowServiceError("Mithril could not take the bid now (" + failure.getMessage()
                + "); no task was created and nothing is billed", 503, List.of("retry after "
                + retryAfter.toSeconds() + " s" + (task.idempotencyKey != null ? " with the same Idempotency-Key" : "")),
                failure, retryAfter);
        return VertxContexts.backTo(context, Uni.createFrom().voidItem())
                .chain(() -> rowWritten ? store.discardPending(task.id) : Uni.createFrom().voidItem())
                .chain(() -> Uni.createFrom().failure(answer));
    }

    private Uni<Placement> placement(TaskConfig config) {
        if (config.instanceType() != null) {
            return catalog.resolve(InstanceType.parse(config.instanceType()), config.region(), config.numInstances());
        }
        return catalog.resolveByMemory(config.minGpuMemoryGb(), config.region(), config.numInstances());
    }

    /**
     * The bid's limit price per instance-hour: {@code max_price_per_hour} (rounded down to cents, so the user's cap is
     * never exceeded), else the configured multiple of the market price (rounded up).
     */
    Money limitPrice(TaskConfig task, Placement placement) {
        if (task.maxPricePerHour() != null) {
            BigDecimal cents = task.maxPricePerHour().setScale(2, RoundingMode.DOWN);
            if (cents.signum() <= 0) {
                throw ValidationError.of(new FieldError("max_price_per_hour", "must be at least $0.01",
                        placement.marketPrice().toString()));
            }
            return Money.of(cents);
        }
        BigDecimal limit = placement.marketPrice().amount().multiply(config.defaultPriceMultiple())
                .setScale(2, RoundingMode.UP);
        return Money.of(limit.max(new BigDecimal("0.01")));
    }

    private static TaskEntity newTask(String taskId, String project, String projectFid, String caller,
                                      TaskConfig redacted, Placement placement, Money limit) {
        // PostgreSQL keeps microseconds: the keyset cursor of the list compares what the database holds
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        TaskEntity task = new TaskEntity();
        task.id = taskId;
        task.project = project;
        task.projectFid = projectFid;
        task.name = redacted.name();
        task.createdBy = caller;
        task.status = TaskStatus.PENDING.json();
        task.reason = TransitionReason.SUBMITTED.toString();
        task.message = "placing the bid";
        task.configJson = TaskStore.write(redacted);
        task.instanceType = redacted.instanceType() == null ? null
                : InstanceType.parse(redacted.instanceType()).canonical();
        task.instanceTypeName = placement.instanceTypeName();
        task.instanceTypeFid = placement.instanceTypeFid();
        task.region = placement.region();
        task.numInstances = redacted.numInstances();
        task.limitPrice = limit.amount();
        task.pricePerHour = limit.amount();
        task.bidName = TaskIds.bidName(taskId);
        task.createdAt = now;
        task.updatedAt = now;
        return task;
    }

    /** One task the caller may see. */
    public Uni<TaskEntity> get(String taskId, Collection<String> visibleProjects) {
        if (!TaskIds.isValid(taskId)) {
            return Uni.createFrom().failure(new ResourceNotFoundError("task " + taskId + " not found"));
        }
        return store.find(taskId).map(task -> {
            if (task == null || !visibleProjects.contains(task.project)) {
                throw new ResourceNotFoundError("task " + taskId + " not found");
            }
            return task;
        });
    }

    /** One page of tasks, newest first; {@code after} is the previous page's last position (null: first page). */
    public Uni<List<TaskEntity>> list(Collection<String> projects, Collection<String> statuses, String name,
                                      boolean namePrefix, TaskRepository.Position after, int limit) {
        return store.list(projects, statuses, name, namePrefix, after, limit);
    }

    /**
     * {@code StopTask(ORPHAN)} for a task this service does not know: the poller saw a bid named like one of ours
     * ({@code flow-<task id>} or {@code flow-<task id>-r<k>}) with no task behind it (a submission that crashed
     * before its row existed, or another database). Cancels every live such bid in every project the API key
     * sees. Lookups are by name (Mithril's {@code name} filter), so the cost does not grow with the number of bids.
     *
     * @return how many bids were cancelled
     */
    public Uni<Integer> cancelOrphanBids(String taskId) {
        if (!TaskIds.isValid(taskId)) {
            return Uni.createFrom().item(0);
        }
        return mithril.projects().chain(projects -> Multi.createFrom().iterable(projects)
                .onItem().transformToUniAndConcatenate(p -> orphanBidsIn(p.fid(), taskId, 0, new ArrayList<>()))
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream).toList()))
                .chain(bids -> Multi.createFrom().iterable(bids)
                        .onItem().transformToUniAndConcatenate(bid -> mithril.cancelBid(bid.fid())
                                .onFailure(ResourceNotFoundError.class).recoverWithNull()
                                .invoke(() -> LOG.infof("orphan bid %s (%s) of unknown task %s cancelled", bid.name(),
                                        bid.fid(), taskId)))
                        .collect().asList().map(List::size));
    }

    /** The live bids of {@code restart}, {@code restart + 1}, ... in one project, until a name has no bid at all. */
    private Uni<List<Bid>> orphanBidsIn(String projectFid, String taskId, int restart, List<Bid> found) {
        String name = TaskIds.bidName(taskId, restart);
        return mithril.listBidsPage(BidQuery.inProject(projectFid).withName(name).withLimit(100)).chain(page -> {
            List<Bid> named = page.data().stream().filter(b -> name.equals(b.name())).toList();
            named.stream().filter(b -> b.status() != BidStatus.TERMINATED).forEach(found::add);
            // flow-<id> may be missing while -r1 exists (its first bid cleaned up): always look at r1
            return named.isEmpty() && restart > 0 ? Uni.createFrom().item(found)
                    : orphanBidsIn(projectFid, taskId, restart + 1, found);
        });
    }

    /**
     * A user's cancel: records {@code CancelRequested} (once) and cancels the bid. A finished task is left as it is.
     * Repeating it retries the bid's cancellation, so a cancel that failed at Mithril can simply be sent again.
     */
    public Uni<TaskStore.CancelOutcome> cancelByUser(String taskId, Collection<String> visibleProjects, String caller) {
        return get(taskId, visibleProjects)
                .chain(() -> cancel(taskId, TransitionReason.USER_CANCEL, caller, true));
    }

    /**
     * Cancels a task's bid for a reason (a command, a workload exit, a user).
     *
     * @param publish whether to publish {@code CancelRequested}
     * @return null when the task is unknown
     */
    public Uni<TaskStore.CancelOutcome> cancel(String taskId, TransitionReason reason, String requestedBy,
                                               boolean publish) {
        Executor context = VertxContexts.current();
        return store.requestCancel(taskId, reason, requestedBy, publish, Instant.now()).call(outcome -> {
            if (outcome == null || outcome.alreadyFinished()) {
                return Uni.createFrom().voidItem();
            }
            if (outcome.newlyRequested() && publish) {
                relay.kick();
            }
            return cancelBid(outcome.task(), context);
        });
    }

    /** Cancels the bid at Mithril and records the confirmation; a failure is left to the cancel sweep. */
    Uni<Void> cancelBid(TaskEntity task, Executor context) {
        return cancellation.cancel(task, context);
    }

    /**
     * Finishes submissions the service left half-done (it stopped after writing the task, before recording the bid):
     * a bid named {@code flow-<task id>} at Mithril is adopted (its events are published now); without one the task
     * fails, and the user submits again.
     */
    public Uni<Void> reconcileStuckSubmissions(Instant createdBefore) {
        Executor context = VertxContexts.current();
        return store.stuckSubmissions(createdBefore, 20)
                .chain(stuck -> io.smallrye.mutiny.Multi.createFrom().iterable(stuck)
                        .onItem().transformToUniAndConcatenate(task -> reconcile(task, context)
                                .onFailure().recoverWithUni(failure -> {
                                    LOG.warnf("task %s: reconciling its submission failed, will retry: %s", task.id,
                                            failure.toString());
                                    return Uni.createFrom().voidItem();
                                }))
                        .collect().last())
                .replaceWithVoid();
    }

    private Uni<Void> reconcile(TaskEntity task, Executor context) {
        return VertxContexts.backTo(context, mithril.findBidByName(task.projectFid, task.bidName)).chain(bid -> {
            if (bid.isPresent()) {
                LOG.infof("task %s: adopting bid %s placed before a restart", task.id, bid.get().fid());
                return store.recordBidPlaced(task.id, bid.get().fid(), TaskViewsSupport.config(task), Instant.now())
                        .call(saved -> saved.cancelRequestedAt != null ? cancelBid(saved, context)
                                : Uni.createFrom().voidItem())
                        .invoke(relay::kick).replaceWithVoid();
            }
            LOG.warnf("task %s: no bid %s at Mithril; the submission did not complete", task.id, task.bidName);
            return store.recordSubmitFailed(task.id, "the submission did not complete (the service stopped before "
                    + "the bid was placed); submit the task again", Instant.now()).replaceWithVoid();
        });
    }
}
