package dev.flow.model.event;

/** Requests to the submitter, the only service that mutates Mithril; key task id. Topic {@value Topics#TASK_COMMANDS}. */
public sealed interface TaskCommand extends FlowEvent permits StopTask, ResubmitTask {

    @Override
    default String topic() {
        return Topics.TASK_COMMANDS;
    }
}
