package dev.flow.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Messages a consumer is retrying because the infrastructure failed under it (a database or Mithril away):
 * {@code flow_messaging_retries_total{topic}}. A rising count with a lag that does not fall is a consumer waiting
 * for a dependency, not a consumer that lost anything (what can never succeed goes to {@link DeadLetters}).
 */
@ApplicationScoped
public class Retries {

    public static final String METER = "flow.messaging.retries";

    private final MeterRegistry registry;

    public Retries(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts one more attempt at a message of {@code topic} after an infrastructure failure. */
    public void record(String topic) {
        Counter.builder(METER).description("Attempts retried after an infrastructure failure, by source topic")
                .tag("topic", topic).register(registry).increment();
    }
}
