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
        // an outage of a few seconds must be ridden out, not turned into a stopped channel
        config.put("flow.cost.store-retries", "40");
        config.put("flow.cost.store-backoff", "PT0.2S");
        return config;
    }
}
