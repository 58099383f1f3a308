package dev.flow.submitter.service;

import dev.flow.model.error.TaskExecutionError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.event.InstanceInfo;
import dev.flow.submitter.domain.TaskEntity;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of {@link ExecService} that need no SSH: output chunking, bounded buffers, the choice of node. */
class ExecServiceTest {

    @Test
    void aUtf8CharacterSplitBetweenPiecesArrivesWhole() {
        byte[] text = "aé✓🚀z".getBytes(StandardCharsets.UTF_8);
        ExecService.Utf8Pieces pieces = new ExecService.Utf8Pieces();
        List<String> decoded = new java.util.ArrayList<>();
        for (byte b : text) { // the worst case: one byte per piece, every multi-byte character split
            String data = pieces.decode(new byte[]{b});
            if (!data.isEmpty()) {
                decoded.add(data);
            }
        }
        assertThat(decoded).containsExactly("a", "é", "✓", "🚀", "z");
        assertThat(pieces.finish()).isEmpty();
    }

    @Test
    void aSequenceCutByTheEndOfTheStreamDecodesAsAReplacementCharacter() {
        byte[] check = "✓".getBytes(StandardCharsets.UTF_8);
        ExecService.Utf8Pieces pieces = new ExecService.Utf8Pieces();
        assertThat(pieces.decode(new byte[]{'x', check[0], check[1]})).isEqualTo("x");
        assertThat(pieces.finish()).isEqualTo("\uFFFD");
    }

    @Test
    void aBoundedBufferKeepsTheFirstBytesAndSaysItDroppedTheRest() {
        ExecService.BoundedBuffer buffer = new ExecService.BoundedBuffer(5);
        buffer.write("abc".getBytes(StandardCharsets.UTF_8), 0, 3);
        assertThat(buffer.truncated()).isFalse();
        buffer.write("defgh".getBytes(StandardCharsets.UTF_8), 0, 5);
        assertThat(buffer.text()).isEqualTo("abcde");
        assertThat(buffer.truncated()).isTrue();
    }

    @Test
    void theTargetIsTheNodesAddressOfARunningTask() {
        TaskEntity task = task("running", 2, TaskStore.write(List.of(
                new InstanceInfo("inst_1", 1, "STATUS_RUNNING", "10.0.0.2", 2201),
                new InstanceInfo("inst_0", 0, "STATUS_RUNNING", "10.0.0.1", 2200))));
        assertThat(ExecService.target(task, 1)).isEqualTo(new ExecService.Target("task-x", "p", 1, "inst_1", "10.0.0.2", 2201));
        assertThat(ExecService.target(task, 0)).isEqualTo(new ExecService.Target("task-x", "p", 0, "inst_0", "10.0.0.1", 2200));
        assertThatThrownBy(() -> ExecService.target(task, 2)).isInstanceOf(ValidationError.class)
                .satisfies(e -> assertThat(((ValidationError) e).errors().getFirst().field()).isEqualTo("node"));
        assertThatThrownBy(() -> ExecService.target(task("completed", 2, "[]"), 0))
                .isInstanceOf(TaskExecutionError.class).hasMessageContaining("is completed");
        TaskEntity noAddress = task("running", 1, "[]");
        assertThatThrownBy(() -> ExecService.target(noAddress, 0)).isInstanceOf(TaskExecutionError.class)
                .hasMessageContaining("no SSH address yet");
    }

    private static TaskEntity task(String status, int nodes, String instances) {
        TaskEntity task = new TaskEntity();
        task.id = "task-x";
        task.project = "p";
        task.status = status;
        task.numInstances = nodes;
        task.instancesJson = instances;
        return task;
    }
}
