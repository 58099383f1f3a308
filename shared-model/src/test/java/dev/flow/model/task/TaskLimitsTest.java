package dev.flow.model.task;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The bounds of JsonLimits and TaskLimits, met at parse time with a reason naming the field. */
class TaskLimitsTest {

    private static List<FieldError> errorsOf(String json) {
        // preemptive: a number that reaches arithmetic would run for minutes, this must answer at once
        ValidationError e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> catchThrowableOfType(ValidationError.class, () -> TaskConfigs.parse(json)));
        assertThat(e).as("expected %s to be rejected", json.length() > 200 ? json.substring(0, 200) : json).isNotNull();
        return e.errors();
    }

    private static String config(String extra) {
        return "{\"instance_type\":\"a100\",\"command\":\"true\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e500000000", "1E+2147483647", "-1e500000000", "1e-500000000", "1e19",
        "0.0000000000001", "1234567890123456789012345678901", "12345678901234567890"})
    void numbersOutOfBoundsAreRefusedBeforeAnyArithmetic(String number) {
        List<FieldError> errors = errorsOf(config("\"max_price_per_hour\": " + number));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("max_price_per_hour");
            assertThat(e.reason()).startsWith("number ").contains("significant digits").contains("decimal places");
        });
    }

    @Test
    void aNumberTokenLongerThanTheLimitIsMalformed() {
        List<FieldError> errors = errorsOf(config("\"max_price_per_hour\": 1" + "0".repeat(100)));
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.reason()).contains("Number value length"));
    }

    @Test
    void hugeExponentsInIntegerFieldsAreTypeErrors() {
        assertThat(errorsOf(config("\"num_instances\": 1e500000000"))).singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("num_instances"));
        assertThat(errorsOf(config("\"num_instances\": 99999999999999999999"))).singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("num_instances"));
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "[".repeat(1000) + "]".repeat(1000);
        assertThat(errorsOf(config("\"ports\": " + deep))).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e-12", "0.001", "0.009"})
    void aRunTimeBelowTheMinimumIsRefusedWithASuggestion(String hours) {
        assertThat(errorsOf(config("\"max_run_time_hours\": " + hours))).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("max_run_time_hours");
            assertThat(e.reason()).contains("at least 0.01 hours");
            assertThat(e.suggestion()).isEqualTo("1");
        });
    }

    @Test
    void theRunTimeBoundsThemselvesAreAccepted() {
        assertThat(TaskConfigs.parse(config("\"max_run_time_hours\": 0.01")).maxRunTimeHours()).isEqualByComparingTo("0.01");
        assertThat(TaskConfigs.parse(config("\"max_run_time_hours\": 168")).maxRunTimeHours()).isEqualByComparingTo("168");
        assertThat(errorsOf(config("\"max_run_time_hours\": 168.01"))).singleElement()
                .satisfies(e -> assertThat(e.suggestion()).isEqualTo("168"));
    }

    @Test
    void aPriceAboveTheMaximumIsRefused() {
        assertThat(errorsOf(config("\"max_price_per_hour\": 100000.01"))).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("at most 100000"));
    }

    @Test
    void stringsMapsAndListsHaveCaps() {
        assertThat(errorsOf("{\"instance_type\":\"a100\",\"command\":\"" + "x".repeat(TaskLimits.MAX_COMMAND_BYTES + 1)
                + "\"}")).singleElement().satisfies(e -> {
                    assertThat(e.field()).isEqualTo("command");
                    assertThat(e.reason()).contains("65536 bytes");
                });
        // 22000 three-byte characters: under the character count, over the byte cap
        assertThat(errorsOf("{\"instance_type\":\"a100\",\"command\":\"" + "€".repeat(22_000) + "\"}"))
                .extracting(FieldError::field).containsExactly("command");
        StringBuilder env = new StringBuilder();
        for (int i = 0; i <= TaskLimits.MAX_ENV_ENTRIES; i++) {
            env.append(i == 0 ? "" : ",").append("\"K").append(i).append("\":\"v\"");
        }
        assertThat(errorsOf(config("\"env\": {" + env + "}"))).extracting(FieldError::field).containsExactly("env");
        assertThat(errorsOf(config("\"env\": {\"" + "K".repeat(129) + "\":\"v\"}"))).isNotEmpty();
        assertThat(errorsOf(config("\"env\": {\"K\":\"" + "v".repeat(TaskLimits.MAX_ENV_VALUE_LENGTH + 1) + "\"}")))
                .extracting(FieldError::field).containsExactly("env.K");
        assertThat(errorsOf(config("\"ssh_keys\": [" + "\"k\",".repeat(TaskLimits.MAX_SSH_KEYS) + "\"k\"]")))
                .extracting(FieldError::field).containsExactly("ssh_keys");
        assertThat(errorsOf(config("\"image\": \"" + "i".repeat(513) + "\""))).extracting(FieldError::field)
                .containsExactly("image");
        assertThat(errorsOf(config("\"working_dir\": \"/" + "w".repeat(4096) + "\""))).extracting(FieldError::field)
                .containsExactly("working_dir");
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i <= TaskLimits.MAX_PORTS; i++) {
            ports.append(i == 0 ? "" : ",").append(2000 + i);
        }
        assertThat(errorsOf(config("\"ports\": [" + ports + "]"))).extracting(FieldError::field).containsExactly("ports");
        StringBuilder argv = new StringBuilder("\"x\"");
        argv.append(",\"a\"".repeat(TaskLimits.MAX_COMMAND_ARGS));
        assertThat(errorsOf("{\"instance_type\":\"a100\",\"command\":[" + argv + "]}")).singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("at most 1024 words"));
    }
}
