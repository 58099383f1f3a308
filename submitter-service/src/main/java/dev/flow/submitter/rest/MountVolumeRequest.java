package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /v1/tasks/{id}/volumes} (the seed's {@code mount_volume(volume_id, task_id)}).
 *
 * @param volume    the volume's id ({@code vol_…}) or name in the task's project
 * @param mountPath where the workload should find it; default {@code /volumes/<volume name>} (the seed's example)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "MountVolumeRequest")
public record MountVolumeRequest(
        @Schema(required = true, examples = "training-data") String volume,
        @Schema(examples = "/data") String mountPath) {
}
