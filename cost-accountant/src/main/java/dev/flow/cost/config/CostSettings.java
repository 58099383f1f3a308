package dev.flow.cost.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The accountant's own settings ({@code flow.cost.*}). */
@ConfigMapping(prefix = "flow.cost")
public interface CostSettings {

    /**
     * How often {@code TaskCostUpdated} is published for each running task, e.g. {@code 60s}; {@code off} disables
     * it. Read by the scheduler as {@code ${flow.cost.updates-every}}.
     */
    @WithDefault("60s")
    String updatesEvery();

    /**
     * How often budgets are checked against spend and crossed thresholds published, e.g. {@code 30s}; {@code off}
     * disables it. Read by the scheduler as {@code ${flow.cost.budget-check-every}}.
     */
    @WithDefault("30s")
    String budgetCheckEvery();

    /** Attempts to store one event in the ledger after the first fails (database hiccups), before the channel stops. */
    @WithDefault("5")
    int storeRetries();

    /** First backoff between those attempts; doubles up to 10 s. */
    @WithDefault("PT0.2S")
    Duration storeBackoff();

    /**
     * How often closed instances are reconciled with Mithril's pricing history, e.g. {@code 60s}; {@code off}
     * disables it. Read by the scheduler as {@code ${flow.cost.reconcile-every}}.
     */
    @WithDefault("60s")
    String reconcileEvery();

    /** Looks at an instance that Mithril does not know or still bills, before giving up on reconciling it. */
    @WithDefault("10")
    int reconcileAttempts();

    /** Instances reconciled per round at most. */
    @WithDefault("50")
    int reconcileBatch();

    /**
     * How often Mithril's volume lists are polled for storage cost, e.g. {@code 5m}; {@code off} disables it. Read
     * by the scheduler as {@code ${flow.cost.volumes-every}}.
     */
    @WithDefault("5m")
    String volumesEvery();

    /** USD per GB-month (730 hours) of volume storage, e.g. {@code 0.08}. */
    @WithDefault("0.08")
    java.math.BigDecimal volumePricePerGbMonth();
}
