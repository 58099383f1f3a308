package dev.flow.submitter.service;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bid names of a task: the contract with the status-poller (issue 6). */
class TaskIdsTest {

    @Test
    void aTasksBidsAreItsFirstBidAndItsResubmissions() {
        String id = "task-0k3x9q2m7a1b4c5d";
        assertThat(TaskIds.bidName(id)).isEqualTo("flow-task-0k3x9q2m7a1b4c5d");
        assertThat(TaskIds.bidName(id, 0)).isEqualTo("flow-task-0k3x9q2m7a1b4c5d");
        assertThat(TaskIds.bidName(id, 3)).isEqualTo("flow-task-0k3x9q2m7a1b4c5d-r3");
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d")).isTrue();
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d-r1")).isTrue();
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d-r12")).isTrue();
        // not the task's: another task, no number, a zero or leading zero, an instance name, a suffix
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5e")).isFalse();
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d-r")).isFalse();
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d-r0")).isFalse();
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d-r01")).isFalse();
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d-0")).isFalse();
        assertThat(TaskIds.isBidOf(id, "flow-task-0k3x9q2m7a1b4c5d-r1-0")).isFalse();
        assertThat(TaskIds.isBidOf(id, null)).isFalse();
    }
}
