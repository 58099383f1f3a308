package dev.flow.emulator.domain;

/** Spot bid statuses, spelled as the API spells them. */
public enum BidStatus {
    Open, Allocated, Preempting, Terminated, Paused;

    /** Bids that take part in the auction. */
    public boolean competes() {
        return this == Open || this == Allocated || this == Preempting;
    }
}
