package dev.flow.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** One entry of {@code find_instances}: a spot offer with capacity now, price per instance-hour. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record InstanceOffer(String instanceType, String mithrilName, String fid, String region, String gpuType,
                            Integer gpuCount, Integer gpuMemoryGb, String pricePerHour, Integer availableCapacity) {
}
