package dev.flow.model.task;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.json.FlowJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TaskConfigsTest {

    private static List<FieldError> errorsOf(String json) {
        ValidationError e = catchThrowableOfType(ValidationError.class, () -> TaskConfigs.parse(json));
        assertThat(e).as("expected %s to be rejected", json).isNotNull();
        assertThat(e.httpStatus()).isEqualTo(422);
        return e.errors();
    }

    /** A minimal valid document with one field replaced/added: {@code "instance_type":"a100","command":"true"}. */
    private static String with(String field, String jsonValue) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("instance_type", "\"a100\"");
        fields.put("command", "\"true\"");
        fields.put(field, jsonValue);
        StringBuilder b = new StringBuilder("{");
        fields.forEach((k, v) -> {
            if (v != null) {
                b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v);
            }
        });
        return b.append('}').toString();
    }

    private static FieldError onlyError(String json) {
        List<FieldError> errors = errorsOf(json);
        assertThat(errors).as("errors of %s", json).hasSize(1);
        return errors.getFirst();
    }

    @Test
    void commandOnlySubmissionGetsEveryDefault() {
        TaskConfig c = TaskConfigs.parse("{\"command\": \"python train.py\", \"instance_type\": \"a100\"}");

        assertThat(c.name()).isEqualTo("flow-task");
        assertThat(c.command()).isEqualTo(Command.of("python train.py"));
        assertThat(c.volumes()).isEmpty();
        assertThat(c.env()).isEmpty();
        assertThat(c.sshKeys()).isEmpty();
        assertThat(c.maxPricePerHour()).isNull();
        assertThat(c.maxRunTimeHours()).isNull();
        assertThat(c.numInstances()).isEqualTo(1);
        assertThat(c.image()).isEqualTo("ubuntu:24.04");
        assertThat(c.workingDir()).isEqualTo("/workspace");
        assertThat(c.region()).isNull();
        assertThat(c.ports()).isEmpty();
        assertThat(c.retry()).isEqualTo(new RetryPolicy(false, 3));
    }

    @Test
    void fullSeedExampleParses() {
        TaskConfig c = TaskConfigs.parse("""
                {
                  "name": "training-run-42",
                  "command": "python train.py --epochs 100",
                  "instance_type": "4xa100",
                  "volumes": [
                    {"name": "dataset", "size_gb": 500, "mount_path": "/data"},
                    {"name": "checkpoints", "size_gb": 100, "mount_path": "/checkpoints", "interface": "file"}
                  ],
                  "env": {"WANDB_API_KEY": "your-key", "CUDA_VISIBLE_DEVICES": "0,1,2,3"},
                  "ssh_keys": ["sshkey_abc"],
                  "max_price_per_hour": 20.0,
                  "max_run_time_hours": 72.5,
                  "num_instances": 4,
                  "image": "nvcr.io/nvidia/pytorch:23.10-py3",
                  "working_dir": "/home/ubuntu",
                  "region": "us-central1-b",
                  "ports": [8888, 6006],
                  "retry": {"on_preemption": true, "max_restarts": 5}
                }""");

        assertThat(c.name()).isEqualTo("training-run-42");
        assertThat(c.volumes()).containsExactly(
                new VolumeSpec("dataset", 500, "/data", VolumeInterface.BLOCK),
                new VolumeSpec("checkpoints", 100, "/checkpoints", VolumeInterface.FILE));
        assertThat(c.env()).containsExactly(Map.entry("WANDB_API_KEY", "your-key"),
                Map.entry("CUDA_VISIBLE_DEVICES", "0,1,2,3"));
        assertThat(c.maxPricePerHour()).isEqualByComparingTo("20.0");
        assertThat(c.maxRunTimeHours()).isEqualByComparingTo("72.5");
        assertThat(c.numInstances()).isEqualTo(4);
        assertThat(c.ports()).containsExactly(8888, 6006);
        assertThat(c.retry()).isEqualTo(new RetryPolicy(true, 5));
        assertThat(c.region()).isEqualTo("us-central1-b");
    }

    @Test
    void volumeDefaultsFollowTheSeed() {
        TaskConfig c = TaskConfigs.parse(with("volumes", "[{\"name\": \"data\"}]"));

        assertThat(c.volumes()).containsExactly(new VolumeSpec("data", 100, "/data", VolumeInterface.BLOCK));
    }

    @Test
    void commandMayBeAnArgvList() {
        TaskConfig c = TaskConfigs.parse(with("command", "[\"python\", \"train.py\", \"--msg\", \"it's done\"]"));

        assertThat(c.command()).isEqualTo(Command.of(List.of("python", "train.py", "--msg", "it's done")));
        assertThat(c.command().toShellString()).isEqualTo("python train.py --msg 'it'\"'\"'s done'");
    }

    @Test
    void minGpuMemoryInsteadOfInstanceType() {
        TaskConfig c = TaskConfigs.parse("{\"command\": \"nvidia-smi\", \"min_gpu_memory_gb\": 80}");

        assertThat(c.instanceType()).isNull();
        assertThat(c.minGpuMemoryGb()).isEqualTo(80);
    }

    @Test
    void minGpuMemoryMustBePositive() {
        FieldError e = onlyError("{\"command\": \"x\", \"min_gpu_memory_gb\": 0}");
        assertThat(e.field()).isEqualTo("min_gpu_memory_gb");
        assertThat(e.reason()).contains("greater than 0");
    }

    @Test
    void jsonRoundTripIsSnakeCaseAndLossless() throws Exception {
        TaskConfig original = TaskConfigs.parse(with("volumes", "[{\"name\": \"data\", \"interface\": \"file\"}]"));
        String json = FlowJson.mapper().writeValueAsString(original);

        assertThat(json).contains("\"instance_type\":\"a100\"", "\"working_dir\":\"/workspace\"",
                "\"interface\":\"file\"", "\"mount_path\":\"/data\"", "\"max_restarts\":3", "\"on_preemption\":false");
        assertThat(TaskConfigs.parse(json)).isEqualTo(original);
    }

    // ---- rejected: every rule ----

    @Test
    void unknownFieldGetsTheClosestName() {
        FieldError e = onlyError("{\"instance_typ\": \"a100\", \"command\": \"x\", \"min_gpu_memory_gb\": 40}");

        assertThat(e.field()).isEqualTo("instance_typ");
        assertThat(e.reason()).contains("did you mean `instance_type`?");
        assertThat(e.suggestion()).isEqualTo("instance_type");
    }

    @Test
    void everyUnknownFieldIsReportedWithItsPath() {
        List<FieldError> errors = errorsOf(with("volumes", "[{\"name\": \"data\", \"sizegb\": 5, \"mountpath\": {\"a\": 1}}]")
                .replace("{\"instance_type\"", "{\"comand\": \"x\", \"instance_type\""));

        assertThat(errors).extracting(FieldError::field)
                .containsExactlyInAnyOrder("comand", "volumes[0].sizegb", "volumes[0].mountpath");
        assertThat(errors).extracting(FieldError::suggestion)
                .containsExactlyInAnyOrder("command", "size_gb", "mount_path");
    }

    @Test
    void unknownFieldInRetryIsReported() {
        FieldError e = onlyError(with("retry", "{\"on_preemtion\": true}"));

        assertThat(e.field()).isEqualTo("retry.on_preemtion");
        assertThat(e.suggestion()).isEqualTo("on_preemption");
    }

    @Test
    void unknownFieldFarFromAnyNameListsTheKnownOnes() {
        FieldError e = onlyError(with("zzzzzzzz", "1"));

        assertThat(e.suggestion()).isNull();
        assertThat(e.reason()).contains("known fields:").contains("instance_type");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "num_instances | \"2\"        | num_instances | expected a whole number",
            "num_instances | 1.5          | num_instances | expected a whole number",
            "name          | 5            | name          | expected a string",
            "max_price_per_hour | \"$10\" | max_price_per_hour | expected a number",
            "command       | 42           | command       | expected a string or a list of strings",
            "command       | [\"a\", 1]   | command       | expected a string or a list of strings",
            "env           | {\"A\": 1}   | env.A         | expected a string",
            "ports         | [8080, \"x\"] | ports[1]     | expected a whole number",
            "volumes       | {\"name\": \"d\"} | volumes  | expected a list",
            "volumes       | [{\"name\": \"d\", \"interface\": \"nfs\"}] | volumes[0].interface | block",
            "retry         | {\"on_preemption\": \"yes\"} | retry.on_preemption | expected true or false",
    })
    void typeErrorsAreReportedByField(String field, String value, String path, String reason) {
        FieldError e = onlyError(with(field, value));

        assertThat(e.field()).isEqualTo(path);
        assertThat(e.reason()).contains(reason);
    }

    @Test
    void malformedJsonIsAnError() {
        FieldError e = onlyError("{\"command\": \"x\",");
        assertThat(e.field()).isEmpty();
        assertThat(e.reason()).startsWith("malformed JSON at line 1");

        assertThat(onlyError("{\"command\": \"x\", \"command\": \"y\", \"instance_type\": \"a100\"}").reason())
                .contains("Duplicate field");
        assertThat(onlyError("").reason()).contains("empty");
        assertThat(onlyError("[]").reason()).contains("expected an object");
    }

    @Test
    void missingCommandAndInstanceSpec() {
        List<FieldError> errors = errorsOf("{}");

        assertThat(errors).extracting(FieldError::field).containsExactly("command", "instance_type");
        assertThat(errors.get(0).reason()).isEqualTo("is required");
        assertThat(errors.get(1).reason()).contains("one of instance_type");
        assertThat(errors.get(1).suggestion()).isEqualTo("a100");
    }

    @Test
    void bothInstanceTypeAndMemoryIsRejected() {
        FieldError e = onlyError(with("min_gpu_memory_gb", "80"));

        assertThat(e.field()).isEqualTo("instance_type");
        assertThat(e.reason()).contains("mutually exclusive");
    }

    @Test
    void unknownInstanceTypeCarriesTheClosestName() {
        ValidationError error = catchThrowableOfType(ValidationError.class,
                () -> TaskConfigs.parse(with("instance_type", "\"gpu.nvidia.a100\"")));

        assertThat(error.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("instance_type");
            assertThat(e.reason()).contains("gpu.nvidia.a100");
            assertThat(e.suggestion()).isEqualTo("a100");
        });
        assertThat(error.suggestions()).contains("a100");
    }

    @Test
    void instanceTypeTextIsNotInterpretedAsAMessageExpression() {
        FieldError e = onlyError(with("instance_type", "\"${1+1}x{a100}\""));
        assertThat(e.reason()).contains("${1+1}x{a100}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "name | \"\"                     | name | is required",
            "name | \"-leading-dash\"        | name | starting with a letter or digit",
            "name | \"has space\"            | name | letters, digits, dashes",
            "name | \"ünïcode\"              | name | letters, digits, dashes",
            "max_price_per_hour | 0         | max_price_per_hour | greater than 0",
            "max_price_per_hour | -1.5      | max_price_per_hour | greater than 0",
            "max_run_time_hours | 0         | max_run_time_hours | at least 0.01 hours",
            "max_run_time_hours | 168.01    | max_run_time_hours | at most 168",
            "num_instances | 0              | num_instances | at least 1",
            "num_instances | 101            | num_instances | at most 100",
            "image | \"\"                   | image | is required",
            "image | \"ubuntu 24.04\"       | image | whitespace",
            "working_dir | \"workspace\"    | working_dir | absolute path",
            "region | \"US Central\"        | region | Mithril region",
            "ports | [80]                   | ports[0] | between 1024 and 65535",
            "ports | [65536]                | ports[0] | between 1024 and 65535",
            "ports | [8080, 8080]           | ports | duplicates",
            "ssh_keys | [\" \"]             | ssh_keys[0] | blank",
            "command | \"  \"               | command | must not be empty",
            "command | []                   | command | must not be empty",
            "env | {\"MY KEY\": \"v\"}      | env.MY KEY | not a valid environment variable name",
            "env | {\"1ABC\": \"v\"}        | env.1ABC | not a valid environment variable name",
            "env | {\"OK\": null}           | env.OK | must not be null",
            "retry | {\"max_restarts\": -1} | retry.max_restarts | 0 or more",
            "volumes | [{\"size_gb\": 10}]  | volumes[0].name | is required",
            "volumes | [{\"name\": \"Data\"}] | volumes[0].name | lowercase",
            "volumes | [{\"name\": \"data-\"}] | volumes[0].name | lowercase",
            "volumes | [{\"name\": \"1data\"}] | volumes[0].name | lowercase",
            "volumes | [{\"name\": \"d\", \"size_gb\": 0}] | volumes[0].size_gb | greater than 0",
            "volumes | [{\"name\": \"d\", \"mount_path\": \"data\"}] | volumes[0].mount_path | absolute path",
            "volumes | [null]                 | volumes[0] | must not be null",
    })
    void everyRuleIsEnforced(String field, String value, String path, String reason) {
        FieldError e = onlyError(with(field, value));

        assertThat(e.field()).isEqualTo(path);
        assertThat(e.reason()).contains(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "name | \"a\"",
            "name | \"9_task-X\"",
            "instance_type | \"8xh100\"",
            "instance_type | \"it_MsIRhxj3ccyVWGfP\"",
            "command | [\"python\"]",
            "command | \"bash -c 'echo hi'\"",
            "volumes | [{\"name\": \"a\"}, {\"name\": \"data-1\", \"mount_path\": \"/ckpt\", \"size_gb\": 1}]",
            "env | {\"_X\": \"\", \"a1\": \"v\", \"PATH_EXTRA\": \"a b=c\"}",
            "ssh_keys | [\"sshkey_1\", \"my-key\"]",
            "max_price_per_hour | 0.01",
            "max_price_per_hour | 25",
            "max_run_time_hours | 0.5",
            "max_run_time_hours | 168",
            "num_instances | 1",
            "num_instances | 100",
            "image | \"nvcr.io/nvidia/pytorch:23.10-py3\"",
            "working_dir | \"/\"",
            "region | \"us-central1-b\"",
            "ports | [1024, 8888, 65535]",
            "retry | {\"max_restarts\": 0}",
            "retry | {}",
            "name | null",
            "volumes | null",
    })
    void everyRuleAcceptsValidValues(String field, String value) {
        TaskConfig c = TaskConfigs.parse(with(field, value));
        assertThat(TaskConfigValidator.validate(c)).isEmpty();
    }

    @Test
    void longNamesAreRejected() {
        assertThat(TaskConfigs.parse(with("name", "\"" + "a".repeat(64) + "\"")).name()).hasSize(64);
        assertThat(onlyError(with("name", "\"" + "a".repeat(65) + "\"")).reason()).contains("at most 64");
        assertThat(onlyError(with("volumes", "[{\"name\": \"" + "v".repeat(65) + "\"}]")).field())
                .isEqualTo("volumes[0].name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1024", "65535"})
    void portBoundsAreInclusive(String port) {
        assertThat(TaskConfigs.parse(with("ports", "[" + port + "]")).ports()).containsExactly(Integer.valueOf(port));
    }

    @Test
    void boundaryValuesAreAccepted() {
        TaskConfig c = TaskConfigs.parse(with("max_run_time_hours", "168")
                .replace("}", ",\"num_instances\": 100, \"name\": \"9_task-x\", \"env\": {\"_A1\": \"\"}}"));
        assertThat(c.maxRunTimeHours()).isEqualByComparingTo(new BigDecimal("168"));
        assertThat(c.numInstances()).isEqualTo(100);
    }

    @Test
    void duplicateVolumeNamesAndMountPathsAreRejected() {
        List<FieldError> errors = errorsOf(with("volumes",
                "[{\"name\": \"a\"}, {\"name\": \"a\", \"mount_path\": \"/x\"}, {\"name\": \"b\", \"mount_path\": \"/data/\"}]"));

        assertThat(errors).extracting(FieldError::field).containsExactly("volumes[1].name", "volumes[2].mount_path");
        assertThat(errors).extracting(FieldError::reason)
                .containsExactly("duplicates the name of volumes[0]", "duplicates the mount_path of volumes[0]");
    }

    @Test
    void suggestionsForFixableValues() {
        assertThat(onlyError(with("name", "\"my task!\"")).suggestion()).isEqualTo("my-task-");
        assertThat(onlyError(with("env", "{\"MY KEY\": \"v\"}")).suggestion()).isEqualTo("MY_KEY");
        assertThat(onlyError(with("env", "{\"1X\": \"v\"}")).suggestion()).isEqualTo("_1X");
        assertThat(onlyError(with("working_dir", "\"workspace\"")).suggestion()).isEqualTo("/workspace");
        assertThat(onlyError(with("volumes", "[{\"name\": \"My_Data\"}]")).suggestion()).isEqualTo("my-data");
        assertThat(onlyError(with("num_instances", "500")).suggestion()).isEqualTo("100");
    }

    @Test
    void allRuleViolationsAreReportedTogether() {
        List<FieldError> errors = errorsOf("""
                {"name": "bad name", "command": "x", "instance_type": "a100", "num_instances": 0,
                 "ports": [22], "env": {"A-B": "v"}, "working_dir": "rel"}""");

        assertThat(errors).extracting(FieldError::field)
                .containsExactly("env.A-B", "name", "num_instances", "ports[0]", "working_dir");
    }

    @Test
    void validationErrorMessageNamesFieldsButNoEnvValues() {
        assertThatThrownBy(() -> TaskConfigs.parse(with("env", "{\"BAD KEY\": \"s3cr3t-value\"}")))
                .isInstanceOf(ValidationError.class)
                .hasMessageContaining("env.BAD KEY")
                .hasMessageNotContaining("s3cr3t-value");
    }

    @Test
    void javaBuiltConfigIsValidatedToo() {
        TaskConfig ok = TaskConfig.builder().command("python train.py").instanceType("8xh100").build();
        assertThat(TaskConfigs.validate(ok)).isSameAs(ok);

        TaskConfig bad = ok.toBuilder().instanceType("nvidia-a100").minGpuMemoryGb(80).build();
        assertThat(TaskConfigValidator.validate(bad)).extracting(FieldError::field)
                .containsExactly("instance_type", "instance_type");
    }

    @Test
    void redactedAndToStringHideEnvValues() {
        TaskConfig c = TaskConfig.builder().command("x").instanceType("a100")
                .env(Map.of("WANDB_API_KEY", "secret-key")).build();

        assertThat(c.redacted().env()).containsExactly(Map.entry("WANDB_API_KEY", "***"));
        assertThat(c.redacted().command()).isEqualTo(c.command());
        assertThat(c.toString()).contains("WANDB_API_KEY").doesNotContain("secret-key");
        assertThat(c.redacted().toString()).doesNotContain("secret-key");
    }
}
