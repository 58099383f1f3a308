package dev.flow.cost.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Turns the reconciliation with Mithril on (every second) for a test class that also starts the emulator; the
 * other classes have no Mithril, so their application.properties turn it off.
 */
public class ReconcilingTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("flow.cost.reconcile-every", "1s");
    }

    @Override
    public void stop() {
        // nothing started
    }
}
