package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * {@code LaunchSpecificationModel}: volumes and SSH keys by fid. {@code startupScript} carries user env values:
 * it is excluded from {@link #toString()} so it can never reach a log line by accident.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LaunchSpecification(List<String> volumes, List<String> sshKeys, String startupScript,
                                  String kubernetesCluster, String imageVersion, Integer memoryGb) {

    public LaunchSpecification {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        sshKeys = sshKeys == null ? List.of() : List.copyOf(sshKeys);
    }

    public static LaunchSpecification of(List<String> sshKeys, List<String> volumes, String startupScript) {
        return new LaunchSpecification(volumes, sshKeys, startupScript, null, null, null);
    }

    @Override
    public String toString() {
        return "LaunchSpecification[volumes=" + volumes + ", sshKeys=" + sshKeys
                + ", startupScript=" + (startupScript == null ? "null" : "<" + startupScript.length() + " chars>")
                + ", kubernetesCluster=" + kubernetesCluster + ", imageVersion=" + imageVersion
                + ", memoryGb=" + memoryGb + "]";
    }
}
