package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.money.Money;

/**
 * {@code AuctionModel}: one row of {@code GET /v2/spot/availability}. Prices are per instance per hour;
 * {@code lastInstancePrice} is the current spot (market) price.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Auction(String fid, String instanceType, String region, int capacity, Money lastInstancePrice,
                      Money lowestAllocatedPrice, boolean adjustableMemory, String defaultImageVersion) {
}
