package dev.flow.model.event;

/** Facts about a task's intent and workload; key task id. Topic {@value Topics#TASK_LIFECYCLE}. */
public sealed interface TaskLifecycleEvent extends FlowEvent permits TaskSubmitted, BidPlaced, CancelRequested, WorkloadExited, TaskResubmitted {

    @Override
    default String topic() {
        return Topics.TASK_LIFECYCLE;
    }
}
