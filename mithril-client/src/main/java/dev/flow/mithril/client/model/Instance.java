package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/**
 * {@code InstanceModel}. {@code sshDestination} is a host or {@code host:port} (SSH user {@code ubuntu},
 * port 22 unless given); {@code bid} is the owning bid's fid.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Instance(String fid, String name, String project, Instant createdAt, String createdBy,
                       String instanceType, String region, String bid, String reservation, String sshDestination,
                       String privateIp, InstanceStatus status) {
}
