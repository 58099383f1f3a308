package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code POST /v1/tasks/{id}/volumes} did.
 *
 * @param blockIndex the volume's position among the bid's block volumes (0 = first): the instances see it as the
 *                   block device of that attach order ({@code /dev/vdb} for 0, {@code /dev/vdc} for 1, ...); null
 *                   for a file share
 * @param restarted  whether the bid was paused and resumed for it (Mithril changes a bid's volumes only while it is
 *                   paused): its instances were replaced, the workload started again
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "VolumeMount")
public record MountView(String taskId, String volumeId, String volumeName, String mountPath, String region,
                        Integer blockIndex, boolean restarted, TaskView task) {
}
