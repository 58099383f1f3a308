package dev.flow.poller;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The poller without its own timer: tests run each cycle with {@code StatusPoller#pollOnce()}. A project is swept at
 * its first cycle and when a test asks ({@code DeltaPolling#requestSweep()}), never on its own, so a test knows which
 * kind of cycle it counts.
 */
public class ManualCyclesProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("flow.poller.auto-start", "false", "flow.poller.sweep-every", "1000000");
    }
}
