package dev.flow.model.event;

/** Status history of a task; key task id. Topic {@value Topics#TASK_STATUS}. */
public sealed interface TaskStatusEvent extends FlowEvent permits TaskStatusChanged {

    @Override
    default String topic() {
        return Topics.TASK_STATUS;
    }
}
