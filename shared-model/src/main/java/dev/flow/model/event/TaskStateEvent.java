package dev.flow.model.event;

/** Latest full state of a task (compacted topic); key task id. Topic {@value Topics#TASK_STATE}. */
public sealed interface TaskStateEvent extends FlowEvent permits TaskSnapshot {

    @Override
    default String topic() {
        return Topics.TASK_STATE;
    }
}
