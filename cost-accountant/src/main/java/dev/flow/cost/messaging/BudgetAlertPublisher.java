package dev.flow.cost.messaging;

import java.time.Clock;
import java.time.Instant;

import dev.flow.cost.domain.Budget;
import dev.flow.cost.domain.BudgetAlert;
import dev.flow.cost.domain.BudgetStop;
import dev.flow.cost.service.BudgetService;
import dev.flow.cost.service.BudgetService.PendingAlert;
import dev.flow.model.event.AlertKind;
import dev.flow.model.event.BudgetExhausted;
import dev.flow.model.event.BudgetThresholdCrossed;
import dev.flow.model.event.StopTask;
import dev.flow.model.money.Money;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Checks budgets at the configured cadence and publishes each crossed threshold on {@code flow.budget.alerts}, keyed
 * by project: {@link BudgetThresholdCrossed} (kind {@code actual} or {@code forecast}) and, at 100 % of actual spend,
 * {@link BudgetExhausted}; for {@code stop_tasks} budgets, {@link StopTask} per running task on {@code flow.task.commands}. The
 * crossing is first recorded (once, unique) and then sent from that record, whose id is the CloudEvents id; a send
 * that fails is retried at the next check, so an alert is published at least once and recognisable when repeated.
 */
@ApplicationScoped
public class BudgetAlertPublisher {

    private static final Logger LOG = Logger.getLogger(BudgetAlertPublisher.class);

    /** {@code StopTask.requestedBy}: the service, since no user asked. */
    static final String REQUESTED_BY = "cost-accountant";

    private final BudgetService budgets;
    private final MutinyEmitter<byte[]> emitter;
    private final MutinyEmitter<byte[]> commands;
    private final Clock clock;

    public BudgetAlertPublisher(BudgetService budgets, @Channel("budget-alerts") MutinyEmitter<byte[]> emitter,
                                @Channel("task-commands") MutinyEmitter<byte[]> commands, Clock clock) {
        this.budgets = budgets;
        this.emitter = emitter;
        this.commands = commands;
        this.clock = clock;
    }

    @Scheduled(every = "${flow.cost.budget-check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> check() {
        Instant now = clock.instant();
        return budgets.detectCrossings(now)
                .flatMap(ignored -> budgets.unpublished())
                .flatMap(pending -> Multi.createFrom().iterable(pending)
                        .onItem().transformToUniAndConcatenate(this::publish)
                        .collect().last())
                .flatMap(ignored -> budgets.unpublishedStops())
                .flatMap(pending -> Multi.createFrom().iterable(pending)
                        .onItem().transformToUniAndConcatenate(this::stop)
                        .collect().last())
                .onFailure().invoke(e -> LOG.warnf("budget check failed (retried at the next one): %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> publish(PendingAlert pending) {
        BudgetAlert alert = pending.alert();
        Budget budget = pending.budget();
        AlertKind kind = AlertKind.parse(alert.kind);
        BudgetThresholdCrossed crossed = new BudgetThresholdCrossed(alert.project, budget.id, alert.threshold,
                kind, Money.of(alert.spent), alert.forecast == null ? null : Money.of(alert.forecast),
                Money.of(budget.limitAmount), budget.periodKind(), alert.periodStart, alert.crossedAt);
        Uni<Void> sent = emitter.sendMessage(CloudEventRecords.toMessage(crossed, CostUpdatePublisher.SOURCE, alert.id));
        // exhaustion is a fact about actual spend, not a forecast
        if (alert.threshold == 100 && kind == AlertKind.ACTUAL) {
            BudgetExhausted exhausted = new BudgetExhausted(alert.project, budget.id, Money.of(alert.spent),
                    Money.of(budget.limitAmount), budget.periodKind(), alert.periodStart, budget.stopsTasks(),
                    alert.crossedAt);
            sent = sent.flatMap(ignored -> emitter.sendMessage(
                    CloudEventRecords.toMessage(exhausted, CostUpdatePublisher.SOURCE, alert.id + "/exhausted")));
        }
        return sent.flatMap(ignored -> budgets.markPublished(alert.id, clock.instant()));
    }

    /** {@code StopTask(BUDGET_STOP)} on flow.task.commands, keyed by task id; the row id is the CloudEvents id. */
    private Uni<Void> stop(BudgetStop stop) {
        StopTask command = new StopTask(stop.taskId, TransitionReason.BUDGET_STOP, REQUESTED_BY,
                stop.decidedAt);
        return commands.sendMessage(CloudEventRecords.toMessage(command, CostUpdatePublisher.SOURCE, stop.id))
                .flatMap(ignored -> budgets.markStopPublished(stop.id, clock.instant()));
    }
}
