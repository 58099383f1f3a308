package dev.flow.poller.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the status poller ({@code flow.poller.*}, env {@code FLOW_POLLER_*}). */
@ConfigMapping(prefix = "flow.poller")
public interface PollerConfig {

    /**
     * The short pause between the end of one polling cycle and the start of the next, used while a task is moving:
     * pending, preempting, or running for less than {@link #settleTime()} (and when no task is active, which costs no
     * Mithril call). Also the tick at which the poller reconsiders which interval applies.
     */
    @WithDefault("5s")
    Duration interval();

    /**
     * The long pause, used while every active task is steadily running or paused: nothing is expected to change
     * soon, so Mithril is asked less often.
     */
    @WithDefault("30s")
    Duration steadyInterval();

    /** How long after a task's last transition to running it still counts as moving (short interval). */
    @WithDefault("30s")
    Duration settleTime();

    /**
     * Whether cycles run on their own. Off only in tests that drive {@code StatusPoller#pollOnce()} themselves to
     * count Mithril calls cycle by cycle.
     */
    @WithDefault("true")
    boolean autoStart();

    /** Readiness goes DOWN after this many consecutive cycles in which Mithril failed. */
    @WithDefault("3")
    int unhealthyAfterFailedCycles();

    /**
     * How long a bid seen Terminated without a known cause (no CancelRequested, StopTask or WorkloadExited yet) waits
     * before the task is closed as cancelled: the submitter cancels a bid right after it publishes the cause, so the
     * cause's event may still be on its way through Kafka.
     */
    @WithDefault("10s")
    Duration unexplainedTerminationGrace();

    /**
     * How long the id of an ended task is remembered, so that a redelivered TaskSubmitted or a late event does not
     * bring it back. Ended tasks are otherwise dropped from memory: the poller's memory follows the active tasks.
     */
    @WithDefault("24h")
    Duration closedTaskMemory();

    /** Page size of Mithril list calls (Mithril allows 1..100). */
    @WithDefault("100")
    int pageSize();

    /**
     * Bid fids per {@code GET /v2/instances?bid_fid_in=} call. 100 (about 2 KB of URL) matches the page size, so a
     * chunk of single-node tasks is one page: a quiet cycle over N tasks costs about N/100 bid pages + N/100
     * instance calls.
     */
    @WithDefault("100")
    int bidFidsPerInstanceQuery();

    /**
     * A project's full bid and instance lists are read ("sweep") once every this many cycles, and at its first
     * cycle; the cycles between read only the project's instance status history since the last good cycle and the
     * tasks it names or the lifecycle says are moving. The sweep is the safety net for what the history cannot show
     * (a bid ended or paused at Mithril without an instance change, an orphan bid): those are seen within this many
     * cycles. 1 sweeps every cycle.
     */
    @WithDefault("20")
    int sweepEvery();

    /**
     * How far before the previous good cycle's start a delta cycle reads the instance status history: covers events
     * Mithril dates earlier than it shows them and a clock skew between Mithril and the poller. Events seen in the
     * overlap before are recognised and not read again.
     */
    @WithDefault("10s")
    Duration historyOverlap();

    /**
     * How long a bid named like one of ours ({@code flow-task-…}) but without a known task is only reported before
     * the poller asks the submitter to stop it ({@code StopTask(ORPHAN)}). Covers a bid seen before its task's
     * TaskSubmitted arrives.
     */
    @WithDefault("2m")
    Duration orphanGrace();

    /**
     * Projects whose newest bids are read every cycle for orphans even when this replica has no active task there
     * (one call per such project and cycle). Projects with active tasks are always looked at.
     */
    Optional<java.util.List<String>> orphanProjects();

    /**
     * The task-keyed lifecycle topic whose partitions the consumer group shares among the replicas (with
     * {@link #commandsTopic()}, co-partitioned).
     */
    @WithDefault("flow.task.lifecycle")
    String lifecycleTopic();

    /** The command topic ({@code StopTask}, {@code ResubmitTask}): read for the stop reasons, written for requests. */
    @WithDefault("flow.task.commands")
    String commandsTopic();

    /** The compacted state topic the poller creates when missing. */
    StateTopic stateTopic();

    interface StateTopic {
        /** Partitions when the poller creates the topic; should equal {@code flow.task.lifecycle}'s (issue 6). */
        Optional<Integer> partitions();

        /** Replication factor when the poller creates the topic; the broker default when absent. */
        Optional<Short> replicationFactor();

        /** How long the start-up rebuild may take before the service gives up. */
        @WithDefault("60s")
        Duration rebuildTimeout();
    }
}
