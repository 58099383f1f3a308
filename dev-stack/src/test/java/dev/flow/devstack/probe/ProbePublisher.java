package dev.flow.devstack.probe;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Publishes to {@code probe.out} on the real broker. */
@ApplicationScoped
public class ProbePublisher {

    private final MutinyEmitter<Record<String, String>> emitter;

    public ProbePublisher(@Channel("probe-out") MutinyEmitter<Record<String, String>> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(String key, String value) {
        return emitter.send(Record.of(key, value));
    }
}
