package dev.flow.model.status;

import dev.flow.model.json.FlowJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StatusTest {

    @Test
    void terminalStatusesAreThoseOfTheSeed() {
        assertThat(TaskStatus.values()).filteredOn(TaskStatus::isTerminal)
                .containsExactly(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED);
    }

    @ParameterizedTest
    @EnumSource(TaskStatus.class)
    void statusJsonIsLowercase(TaskStatus status) throws Exception {
        String json = FlowJson.mapper().writeValueAsString(status);

        assertThat(json).isEqualTo("\"" + status.name().toLowerCase() + "\"");
        assertThat(FlowJson.mapper().readValue(json, TaskStatus.class)).isEqualTo(status);
    }

    @Test
    void unknownStatusIsRejected() {
        assertThatThrownBy(() -> TaskStatus.parse("done")).hasMessageContaining("pending");
    }

    @ParameterizedTest
    @EnumSource(value = TransitionReason.Kind.class, names = "WORKLOAD_EXIT", mode = EnumSource.Mode.EXCLUDE)
    void simpleReasonsRoundTrip(TransitionReason.Kind kind) throws Exception {
        TransitionReason reason = TransitionReason.parse(kind.name());
        String json = FlowJson.mapper().writeValueAsString(reason);

        assertThat(json).isEqualTo("\"" + kind.name() + "\"");
        assertThat(FlowJson.mapper().readValue(json, TransitionReason.class)).isEqualTo(reason);
        assertThat(reason.exitCode()).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 137, 255, -1})
    void workloadExitCarriesTheCode(int code) throws Exception {
        TransitionReason reason = TransitionReason.workloadExit(code);
        String json = FlowJson.mapper().writeValueAsString(reason);

        assertThat(json).isEqualTo("\"WORKLOAD_EXIT(" + code + ")\"");
        assertThat(FlowJson.mapper().readValue(json, TransitionReason.class)).isEqualTo(reason);
        assertThat(reason.isSuccessfulExit()).isEqualTo(code == 0);
    }

    @Test
    void parsingIsCaseInsensitive() {
        assertThat(TransitionReason.parse("workload_exit(137)")).isEqualTo(TransitionReason.workloadExit(137));
        assertThat(TransitionReason.parse(" user_cancel ")).isEqualTo(TransitionReason.USER_CANCEL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "WORKLOAD_EXIT", "WORKLOAD_EXIT()", "WORKLOAD_EXIT(x)", "WORKLOAD_EXIT(99999999999)",
            "PREEMPTED(1)", "SOMETHING"})
    void malformedReasonsAreRejected(String text) {
        assertThatThrownBy(() -> TransitionReason.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exitCodeOnlyWithWorkloadExit() {
        assertThatThrownBy(() -> new TransitionReason(TransitionReason.Kind.PREEMPTED, 1))
                .hasMessageContaining("no exit code");
        assertThatThrownBy(() -> new TransitionReason(TransitionReason.Kind.WORKLOAD_EXIT, null))
                .hasMessageContaining("needs an exit code");
    }
}
