package dev.flow.model.startup;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkloadBlockTest {

    private static WorkloadSpec spec(String command) {
        return new WorkloadSpec("bid_abc123", command, "ubuntu:24.04",
                Map.of("WANDB_API_KEY", "secret-value", "EPOCHS", "3"), "/workspace", List.of(8888, 6006), 2,
                List.of(new WorkloadSpec.Mount("data", "/data")));
    }

    private static String script(String block) {
        return "#!/bin/bash\nset -euo pipefail\n" + block + "export FOO='bar'\necho hello\n";
    }

    @Test
    void roundTripsThroughAScript() {
        WorkloadSpec original = spec("python train.py --epochs 3 && echo 'done'");
        String script = script(WorkloadBlock.encode(original));

        assertThat(WorkloadBlock.find(script)).contains(original);
    }

    @Test
    void blockIsCommentLinesWrappedAt76Characters() {
        String longCommand = "echo " + "x".repeat(600);
        String block = WorkloadBlock.encode(spec(longCommand));
        List<String> lines = block.lines().toList();

        assertThat(lines.getFirst()).isEqualTo("# >>> flow-workload v1 >>>");
        assertThat(lines.getLast()).isEqualTo("# <<< flow-workload v1 <<<");
        List<String> payload = lines.subList(1, lines.size() - 1);
        assertThat(payload).hasSizeGreaterThan(5).allSatisfy(line -> {
            assertThat(line).startsWith("# ");
            assertThat(line.length() - 2).isLessThanOrEqualTo(76);
        });
        // every payload line but the last is full
        assertThat(payload.subList(0, payload.size() - 1)).allSatisfy(line -> assertThat(line).hasSize(78));
        assertThat(WorkloadBlock.find(script(block))).map(WorkloadSpec::command).contains(longCommand);
    }

    @Test
    void jsonIsSnakeCase() {
        String block = WorkloadBlock.encode(spec("true"));
        String base64 = String.join("", block.lines().filter(l -> !l.contains("flow-workload"))
                .map(l -> l.substring(2)).toList());
        String json = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);

        assertThat(json).contains("\"task_id\":\"bid_abc123\"", "\"working_dir\":\"/workspace\"",
                "\"num_instances\":2", "\"mount_path\":\"/data\"", "\"ports\":[8888,6006]");
    }

    @Test
    void unknownFieldsAreIgnored() {
        String json = "{\"task_id\":\"t1\",\"command\":\"echo hi\",\"future_field\":{\"x\":1},\"num_instances\":1}";
        String script = "#!/bin/bash\n# >>> flow-workload v1 >>>\n# "
                + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))
                + "\n# <<< flow-workload v1 <<<\n";

        WorkloadSpec spec = WorkloadBlock.find(script).orElseThrow();
        assertThat(spec.command()).isEqualTo("echo hi");
        assertThat(spec.env()).isEmpty();
        assertThat(spec.ports()).isEmpty();
        assertThat(spec.volumes()).isEmpty();
    }

    @Test
    void toleratesCrLfLineEndings() {
        WorkloadSpec original = spec("echo crlf");
        String script = script(WorkloadBlock.encode(original)).replace("\n", "\r\n");

        assertThat(WorkloadBlock.find(script)).contains(original);
    }

    @Test
    void compressedBootstrapRoundTrips() {
        // random text does not compress away, so the script is well over Mithril's limit
        StringBuilder filler = new StringBuilder();
        Random random = new Random(42);
        for (int i = 0; i < 400; i++) {
            filler.append("# pad ").append(Long.toHexString(random.nextLong())).append('\n');
        }
        WorkloadSpec original = spec("python serve.py");
        String full = script(filler + WorkloadBlock.encode(original)) + "x".repeat(5_000) + "\n";
        assertThat(full.length()).isGreaterThan(WorkloadBlock.MITHRIL_SCRIPT_LIMIT);

        String bootstrap = WorkloadBlock.fitToLimit(full);

        assertThat(bootstrap).startsWith("#!/bin/bash\n# flow-bootstrap: gzip+base64 v1\necho '")
                .endsWith("' | base64 -d | gunzip | bash\n")
                .doesNotContain(WorkloadBlock.BEGIN_MARKER);
        assertThat(bootstrap.length()).isLessThan(WorkloadBlock.MITHRIL_SCRIPT_LIMIT);
        assertThat(WorkloadBlock.find(bootstrap)).contains(original);
    }

    /** The bootstrap is not only decodable by us: bash really runs the inner script. */
    @Test
    void bashRunsTheBootstrap() throws Exception {
        String inner = "#!/bin/bash\n" + WorkloadBlock.encode(spec("true")) + "echo \"inner ran: $((6 * 7))\"\n"
                + "# " + "padding ".repeat(2_000) + "\n";
        String bootstrap = WorkloadBlock.compressToBootstrap(inner);

        Process p = new ProcessBuilder("bash", "-c", bootstrap).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isZero();
        assertThat(out).isEqualTo("inner ran: 42\n");
    }

    @Test
    void incompressibleScriptOverTheLimitIsRejected() {
        byte[] noise = new byte[12_000];
        new Random(1).nextBytes(noise);
        String script = "#!/bin/bash\n# " + Base64.getEncoder().encodeToString(noise) + "\n";

        assertThatThrownBy(() -> WorkloadBlock.fitToLimit(script))
                .isInstanceOf(dev.flow.model.error.ValidationError.class)
                .hasMessageContaining("at most 10000");
    }

    @Test
    void toleratesTrailingBlanksOnMarkerLines() {
        WorkloadSpec original = spec("echo x");
        String script = script(WorkloadBlock.encode(original).replace("\n", "  \n"));

        assertThat(WorkloadBlock.find(script)).contains(original);
    }

    @Test
    void shortScriptIsKeptAsIs() {
        String script = script(WorkloadBlock.encode(spec("true")));
        assertThat(WorkloadBlock.fitToLimit(script)).isSameAs(script);
    }

    @Test
    void noBlockMeansEmpty() {
        assertThat(WorkloadBlock.find("#!/bin/bash\necho hello\n")).isEmpty();
        assertThat(WorkloadBlock.find("")).isEmpty();
        assertThat(WorkloadBlock.find(null)).isEmpty();
        assertThat(WorkloadBlock.find(WorkloadBlock.compressToBootstrap("#!/bin/bash\necho plain\n"))).isEmpty();
    }

    @Test
    void corruptBase64IsAClearError() {
        String script = "#!/bin/bash\n# >>> flow-workload v1 >>>\n# not*base64!\n# <<< flow-workload v1 <<<\n";

        assertThatThrownBy(() -> WorkloadBlock.find(script))
                .isInstanceOf(WorkloadBlockException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("not valid base64");
    }

    @Test
    void corruptJsonIsAClearError() {
        String script = "#!/bin/bash\n# >>> flow-workload v1 >>>\n# "
                + Base64.getEncoder().encodeToString("{\"task_id\": ".getBytes(StandardCharsets.UTF_8))
                + "\n# <<< flow-workload v1 <<<\n";

        assertThatThrownBy(() -> WorkloadBlock.find(script))
                .isInstanceOf(WorkloadBlockException.class)
                .hasMessageContaining("valid workload JSON");
    }

    @Test
    void missingCommandIsAClearError() {
        String script = "#!/bin/bash\n# >>> flow-workload v1 >>>\n# "
                + Base64.getEncoder().encodeToString("{\"task_id\":\"t\"}".getBytes(StandardCharsets.UTF_8))
                + "\n# <<< flow-workload v1 <<<\n";

        assertThatThrownBy(() -> WorkloadBlock.find(script))
                .isInstanceOf(WorkloadBlockException.class)
                .hasMessageContaining("command");
    }

    @Test
    void missingEndMarkerIsAClearError() {
        String block = WorkloadBlock.encode(spec("true"));
        String truncated = block.substring(0, block.indexOf(WorkloadBlock.END_MARKER));

        assertThatThrownBy(() -> WorkloadBlock.find("#!/bin/bash\n" + truncated + "echo next\n"))
                .isInstanceOf(WorkloadBlockException.class)
                .hasMessageContaining("non-comment line");
        assertThatThrownBy(() -> WorkloadBlock.find("#!/bin/bash\n" + truncated))
                .isInstanceOf(WorkloadBlockException.class)
                .hasMessageContaining("no end marker");
    }

    @Test
    void corruptBootstrapIsAClearError() {
        assertThatThrownBy(() -> WorkloadBlock.find("#!/bin/bash\n# flow-bootstrap: gzip+base64 v1\n"
                + "echo 'aGVsbG8=' | base64 -d | gunzip | bash\n"))
                .isInstanceOf(WorkloadBlockException.class)
                .hasMessageContaining("not base64 of gzip");
        assertThatThrownBy(() -> WorkloadBlock.find("#!/bin/bash\n# flow-bootstrap: gzip+base64 v1\necho hi\n"))
                .isInstanceOf(WorkloadBlockException.class)
                .hasMessageContaining("is not followed by");
    }

    @Test
    void toStringHidesEnvValues() {
        assertThat(spec("true").toString()).contains("WANDB_API_KEY").doesNotContain("secret-value");
    }
}
