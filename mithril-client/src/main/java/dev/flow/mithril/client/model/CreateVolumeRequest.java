package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.Objects;

/**
 * {@code CreateVolumeRequest} of {@code POST /v2/volumes}. Note the request says {@code disk_interface} where the
 * response says {@code interface}. {@code name} ({@code ^[a-z]([-a-z0-9]*[a-z0-9])?$}, max 64) is also the
 * idempotency key of {@code MithrilClient#createVolume}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CreateVolumeRequest(String name, String project, DiskInterface diskInterface, String region,
                                  long sizeGb) {

    public CreateVolumeRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(diskInterface, "diskInterface");
        Objects.requireNonNull(region, "region");
    }
}
