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
}
