package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.money.Money;

import java.util.Objects;

/**
 * {@code CreateBidRequest} of {@code POST /v2/spot/bids}. {@code name} is also the idempotency key of
 * {@code MithrilClient#createBid}: give every task its own name.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreateBidRequest(String project, String region, String instanceType, Money limitPrice,
                               int instanceQuantity, String name, LaunchSpecification launchSpecification,
                               String notificationEmail) {

    public CreateBidRequest {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(instanceType, "instanceType");
        Objects.requireNonNull(limitPrice, "limitPrice");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(launchSpecification, "launchSpecification");
        if (instanceQuantity < 1) {
            throw new IllegalArgumentException("instanceQuantity must be >= 1");
        }
    }

    public CreateBidRequest(String project, String region, String instanceType, Money limitPrice,
                            int instanceQuantity, String name, LaunchSpecification launchSpecification) {
        this(project, region, instanceType, limitPrice, instanceQuantity, name, launchSpecification, null);
    }
}
