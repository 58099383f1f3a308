package dev.flow.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one counter of messages a service gave up on and parked (a dead-letter topic, or dropped as unreadable):
 * {@code flow_messaging_dead_letters_total{topic, reason}}, where {@code topic} is the topic the message came from and
 * {@code reason} a short fixed word (e.g. {@code undecodable}, {@code rejected}), never free text (each value is a
 * series). The series {@code topic="none", reason="none"} exists from startup at 0, so the name is in every scrape and
 * an alert on {@code increase(...)} has a series to evaluate before the first dead letter.
 */
@Startup
@ApplicationScoped
public class DeadLetters {

    public static final String METER = "flow.messaging.dead.letters";

    private final MeterRegistry registry;

    public DeadLetters(MeterRegistry registry) {
        this.registry = registry;
        counter("none", "none");
    }

    /** Counts one message of {@code topic} given up on for {@code reason}. */
    public void record(String topic, String reason) {
        counter(topic, reason).increment();
    }

    private Counter counter(String topic, String reason) {
        return Counter.builder(METER).description("Messages given up on (dead-lettered or dropped), by source topic")
                .tag("topic", topic).tag("reason", reason).register(registry);
    }
}
