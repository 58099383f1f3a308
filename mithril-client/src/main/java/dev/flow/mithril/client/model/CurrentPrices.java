package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code CurrentPricesResponse} of {@code GET /v2/pricing/current}: integer cents, every field nullable. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CurrentPrices(Long spotPriceCents, Long reservedPriceCents, Long minimumPriceCents,
                            Long lowestAllocatedBidCents, Long dynamicWinPriceCents, Integer availableCapacity,
                            Integer totalCapacity) {
}
