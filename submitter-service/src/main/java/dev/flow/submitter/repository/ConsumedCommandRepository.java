package dev.flow.submitter.repository;

import dev.flow.submitter.domain.ConsumedCommandEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ConsumedCommandRepository implements PanacheRepositoryBase<ConsumedCommandEntity, String> {
}
