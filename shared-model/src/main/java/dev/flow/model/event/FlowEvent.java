package dev.flow.model.event;

import java.time.Instant;

/**
 * Every Kafka event of the platform. One sealed sub-interface per topic; each record carries its CloudEvents type in
 * {@link EventType}. {@link EventCodec} encodes, decodes and builds CloudEvents headers.
 *
 * <p>Payloads never carry secrets: env values, API keys and private keys stay out (env keys may appear).
 */
public sealed interface FlowEvent
        permits TaskLifecycleEvent, TaskStatusEvent, TaskStateEvent, TaskCommand, TaskLogEvent, CostEvent, BudgetEvent {

    /** The Kafka record key: the task id, or the project id for project-wide events. */
    String key();

    /** When the fact happened (event time, not processing time): the CloudEvents {@code time}. */
    Instant time();

    /** The topic this event is published on. */
    String topic();

    /** The versioned CloudEvents type. */
    default String type() {
        return EventCodec.typeOf(this);
    }
}
