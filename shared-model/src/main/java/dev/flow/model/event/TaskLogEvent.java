package dev.flow.model.event;

/** Workload output; key task id. Topic {@value Topics#TASK_LOGS}. */
public sealed interface TaskLogEvent extends FlowEvent permits LogLine {

    @Override
    default String topic() {
        return Topics.TASK_LOGS;
    }
}
