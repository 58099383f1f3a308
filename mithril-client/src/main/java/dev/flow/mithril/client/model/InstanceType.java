package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code InstanceTypeModel} of {@code GET /v2/instance-types}. The same name may exist under several fids. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InstanceType(String fid, String name, int numCpus, String cpuType, int ramGb, int numGpus,
                           String gpuType, int gpuMemoryGb, String gpuSocket, int localStorageGb,
                           String networkType, int ibCount, int bridgeCount) {
}
