package dev.flow.emulator.ssh;

import dev.flow.emulator.workload.InstanceRuntime;

/** What an SSH session can reach on one instance. */
record InstanceShell(String instanceFid, InstanceRuntime runtime) {
}
