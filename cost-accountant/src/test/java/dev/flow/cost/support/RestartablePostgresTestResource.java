package dev.flow.cost.support;

import java.util.Map;

/**
 * dev-stack's restartable PostgreSQL for {@code PostgresRestartTest}; the ledger is told to keep retrying through
 * the outage.
 */
public class RestartablePostgresTestResource extends dev.flow.devstack.quarkus.RestartablePostgresTestResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        // no retries for other failures: only the retry of a database that is away may ride the outage out
        config.put("flow.cost.store-retries", "0");
        config.put("flow.cost.store-backoff", "PT0.2S");
        return config;
    }
}
