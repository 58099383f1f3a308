package dev.flow.poller.service;

/**
 * What one polling cycle did.
 *
 * @param mithrilCalls HTTP calls to Mithril (each page of a list is one; the client's retries are not counted)
 * @param transitions  TaskStatusChanged events published
 * @param failed       whether polling a project failed (Mithril or Kafka; those projects are polled again next cycle)
 * @param skipped      whether the cycle did not run because another was still running
 * @param sweeps       projects whose full lists the cycle read (the others had a delta read)
 */
public record CycleReport(int projects, int tasks, int mithrilCalls, int transitions, boolean failed, boolean skipped,
                          int sweeps) {

    static CycleReport skippedCycle() {
        return new CycleReport(0, 0, 0, 0, false, true, 0);
    }
}
