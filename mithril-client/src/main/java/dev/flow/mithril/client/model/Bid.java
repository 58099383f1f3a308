package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.money.Money;

import java.time.Instant;
import java.util.List;

/** {@code BidModel}. {@code limitPrice} is per instance per hour; {@code instances} are {@code inst_} fids. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Bid(String fid, String name, String project, String createdBy, Instant createdAt,
                  Instant deactivatedAt, Money limitPrice, int instanceQuantity, String instanceType,
                  String region, List<String> instances, LaunchSpecification launchSpecification,
                  BidStatus status) {

    public Bid {
        instances = instances == null ? List.of() : List.copyOf(instances);
    }
}
