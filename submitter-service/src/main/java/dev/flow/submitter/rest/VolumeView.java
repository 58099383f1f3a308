package dev.flow.submitter.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.model.task.VolumeInterface;
import dev.flow.submitter.service.VolumeService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The seed's {@code Volume} as JSON (snake_case).
 *
 * @param volumeId      Mithril's fid ({@code vol_…}); {@code DELETE /v1/volumes/{id}} takes it or the name
 * @param attachedBids  the bids using it now (Mithril's view)
 * @param attachedTasks the platform tasks among those bids
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "Volume", description = "A persistent volume of a project")
public record VolumeView(String volumeId, String name, long sizeGb,
                         @JsonProperty("interface") VolumeInterface volumeInterface, String region, String project,
                         Instant createdAt, boolean attached, List<String> attachedBids, List<String> attachedTasks) {

    static VolumeView of(VolumeService.AttachedVolume v, String project) {
        var volume = v.volume();
        return new VolumeView(volume.fid(), volume.name(), volume.capacityGb(),
                volume.diskInterface() == DiskInterface.FILE ? VolumeInterface.FILE : VolumeInterface.BLOCK,
                volume.region(), project, volume.createdAt(), volume.attached(), volume.bids(),
                v.taskByBid().values().stream().filter(Objects::nonNull).toList());
    }
}
