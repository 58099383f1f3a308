package dev.flow.model.task;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * A persistent volume of a task (seed {@code VolumeSpec}). Created on first use, reused by name.
 *
 * @param name      Mithril volume name: lowercase letters, digits and dashes, starting with a letter, not ending with a dash
 * @param sizeGb    size in GB, default {@value #DEFAULT_SIZE_GB}
 * @param mountPath absolute mount path, default {@value #DEFAULT_MOUNT_PATH} (the seed's default)
 * @param volumeInterface block (default) or file; JSON {@code interface}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VolumeSpec(
        @NotBlank(message = "is required")
        @Size(max = 64, message = "must be at most 64 characters")
        @Pattern(regexp = "^[a-z]([-a-z0-9]*[a-z0-9])?$",
                message = "must be lowercase letters, digits and dashes, start with a letter and not end with a dash")
        String name,
        @NotNull @Positive(message = "must be greater than 0") @Max(value = 65_536, message = "must be at most 65536")
        Integer sizeGb,
        @NotBlank @Pattern(regexp = "^/.*", message = "must be an absolute path")
        @Size(max = TaskLimits.MAX_PATH_LENGTH, message = "must be at most {max} characters")
        String mountPath,
        @JsonProperty("interface") @NotNull
        VolumeInterface volumeInterface) {

    public static final int DEFAULT_SIZE_GB = 100;
    public static final String DEFAULT_MOUNT_PATH = "/data";

    public VolumeSpec {
        if (sizeGb == null) {
            sizeGb = DEFAULT_SIZE_GB;
        }
        if (mountPath == null) {
            mountPath = DEFAULT_MOUNT_PATH;
        }
        if (volumeInterface == null) {
            volumeInterface = VolumeInterface.BLOCK;
        }
    }

    public static VolumeSpec of(String name) {
        return new VolumeSpec(name, null, null, null);
    }

    public static VolumeSpec of(String name, int sizeGb, String mountPath) {
        return new VolumeSpec(name, sizeGb, mountPath, null);
    }
}
