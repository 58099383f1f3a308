package dev.flow.poller;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The poller without its own timer: tests run each cycle with {@code StatusPoller#pollOnce()}. */
public class ManualCyclesProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("flow.poller.auto-start", "false");
    }
}
