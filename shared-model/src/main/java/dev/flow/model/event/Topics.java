package dev.flow.model.event;

import java.util.List;

/** The Kafka topics of ARCHITECTURE.md's event table. */
public final class Topics {

    /** Facts about intent and workload (submitter, log-streamer); key task id. */
    public static final String TASK_LIFECYCLE = "flow.task.lifecycle";
    /** Append-only status history (poller); key task id. */
    public static final String TASK_STATUS = "flow.task.status";
    /** Latest snapshot per task, compacted (poller); key task id. */
    public static final String TASK_STATE = "flow.task.state";
    /** Requests to the submitter, the single Mithril writer (poller, accountant); key task id. */
    public static final String TASK_COMMANDS = "flow.task.commands";
    /** Log lines (log-streamer), retention-bounded; key task id; the offset is the resume token. */
    public static final String TASK_LOGS = "flow.task.logs";
    /** Cost totals (accountant); key task id, or project for project totals. */
    public static final String COST_UPDATES = "flow.cost.updates";
    /** Budget alerts (accountant); key project. */
    public static final String BUDGET_ALERTS = "flow.budget.alerts";

    /**
     * Messages a service could never process, parked with their reason and origin (service-support's
     * DeadLetterQueue); key as the original record. Not in {@link #ALL}: it carries no events of its own.
     */
    public static final String DEAD_LETTERS = "flow.dead-letters";

    public static final List<String> ALL =
            List.of(TASK_LIFECYCLE, TASK_STATUS, TASK_STATE, TASK_COMMANDS, TASK_LOGS, COST_UPDATES, BUDGET_ALERTS);

    private Topics() {
    }
}
