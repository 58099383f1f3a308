package dev.flow.mithril.client.it;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.devstack.MithrilEmulator;

/** The emulator's admin API ({@code /_emulator/...}) as these tests use it: not Mithril's, so not the client's. */
final class EmulatorAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MithrilEmulator emulator;

    EmulatorAdmin(EmulatorServer server) {
        this.emulator = server.emulator();
    }

    /** Forces the bid out of the auction: Preempting now, Preempted after the notice, then Open again. */
    void preemptBid(String bidFid) {
        emulator.preemptBid(bidFid);
    }

    /** Makes the next {@code count} matching /v2 requests fail with {@code status} (and Retry-After, if given). */
    void fail(String method, String pathPattern, int status, Integer retryAfterSeconds, int count) {
        emulator.fail(method, pathPattern, status, retryAfterSeconds, count);
    }

    /** Delays the next {@code count} matching /v2 requests before the emulator processes them. */
    void delay(String method, String pathPattern, int latencyMillis, int count) {
        emulator.admin("POST", "/_emulator/faults", "{\"method\":\"" + method + "\",\"path_pattern\":\"" + pathPattern
                + "\",\"latency_ms\":" + latencyMillis + ",\"count\":" + count + "}");
    }

    void clearFaults() {
        emulator.clearFaults();
    }

    /** How many /v2 requests the emulator received for an endpoint template, e.g. {@code "POST /v2/spot/bids"}. */
    long requests(String endpoint) {
        try {
            return JSON.readTree(emulator.requestCounters()).path(endpoint).asLong(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
