package dev.flow.model.event;

/**
 * One node of a task as last observed.
 *
 * @param fid     Mithril instance fid ({@code inst_...})
 * @param node    node rank, 0-based
 * @param status  Mithril's raw instance status ({@code STATUS_RUNNING})
 * @param sshHost SSH host when known
 * @param sshPort SSH port when known
 */
public record InstanceInfo(String fid, int node, String status, String sshHost, Integer sshPort) {
}
