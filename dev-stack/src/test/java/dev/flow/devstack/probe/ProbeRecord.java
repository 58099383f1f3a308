package dev.flow.devstack.probe;

import io.quarkus.hibernate.reactive.panache.PanacheEntity;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A row written by {@link ProbeConsumer} for every record it consumes. */
@Entity
@Table(name = "probe_record")
public class ProbeRecord extends PanacheEntity {
    public String recordKey;
    public String payload;
    public long kafkaOffset;
}
