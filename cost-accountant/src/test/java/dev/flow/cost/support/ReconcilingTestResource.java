package dev.flow.cost.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Turns the reconciliation with Mithril and the volume polling on (every second; storage at $0.10 per GB-month) for a test class that also starts the emulator; the
 * other classes have no Mithril, so their application.properties turn it off.
 */
public class ReconcilingTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("flow.cost.reconcile-every", "1s",
                "flow.cost.volumes-every", "1s",
                "flow.cost.volume-price-per-gb-month", "0.10");
    }

    @Override
    public void stop() {
        // nothing started
    }
}
