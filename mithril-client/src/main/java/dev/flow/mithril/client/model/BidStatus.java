package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Bid status. {@code Relocating} appears only in {@code GET /v2/spot/bids/{fid}/status}; {@link #UNKNOWN} absorbs
 * values newer than this client so a new server-side status never breaks reading a bid.
 */
public enum BidStatus {
    @JsonProperty("Open") OPEN("Open"),
    @JsonProperty("Allocated") ALLOCATED("Allocated"),
    @JsonProperty("Preempting") PREEMPTING("Preempting"),
    @JsonProperty("Terminated") TERMINATED("Terminated"),
    @JsonProperty("Paused") PAUSED("Paused"),
    @JsonProperty("Relocating") RELOCATING("Relocating"),
    @JsonEnumDefaultValue UNKNOWN("Unknown");

    private final String wire;

    BidStatus(String wire) {
        this.wire = wire;
    }

    /** The value Mithril uses on the wire, e.g. for the {@code status} query filter. */
    public String wire() {
        return wire;
    }
}
