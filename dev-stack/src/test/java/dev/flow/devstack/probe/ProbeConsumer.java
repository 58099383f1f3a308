package dev.flow.devstack.probe;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes {@code probe.in} from the real broker and stores each record in the real database. */
@ApplicationScoped
public class ProbeConsumer {

    @Incoming("probe-in")
    public Uni<Void> store(ConsumerRecord<String, String> record) {
        ProbeRecord row = new ProbeRecord();
        row.recordKey = record.key();
        row.payload = record.value();
        row.kafkaOffset = record.offset();
        return Panache.withTransaction(row::persist).replaceWithVoid();
    }
}
