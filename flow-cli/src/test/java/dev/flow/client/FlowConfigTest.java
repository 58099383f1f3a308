package dev.flow.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the client finds its settings: environment over ~/.flow/config.yaml over the local defaults. */
class FlowConfigTest {

    @TempDir
    Path dir;

    @Test
    void theEnvironmentWinsOverTheFileWhichWinsOverTheDefaults() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                api_url: http://flow.example.com:8081/
                logs_url: http://logs.example.com
                token: from-file
                project: file-project
                ssh_keys: [key-a, key-b]
                """);
        FlowConfig config = FlowConfig.discover(Map.of("FLOW_LOGS_URL", "http://logs.env:8083",
                "MITHRIL_DEFAULT_PROJECT", "env-project", "FLOW_DEBUG", "1"), file);
        assertThat(config.apiUrl()).hasToString("http://flow.example.com:8081");
        assertThat(config.logsUrl()).hasToString("http://logs.env:8083");
        assertThat(config.costUrl()).isEqualTo(FlowConfig.DEFAULT_COST_URL);
        assertThat(config.token()).contains("from-file");
        assertThat(config.project()).contains("env-project");
        assertThat(config.sshKeys()).containsExactly("key-a", "key-b");
        assertThat(config.debug()).isTrue();
        assertThat(config.toString()).doesNotContain("from-file").contains("token=***");
    }

    @Test
    void aTokenFileIsReadAndAnExplicitTokenWins() throws IOException {
        Path token = Files.writeString(dir.resolve("dev-token"), "eyJ.file.token\n");
        assertThat(FlowConfig.discover(Map.of("FLOW_TOKEN_FILE", token.toString()), dir.resolve("none.yaml")).token())
                .contains("eyJ.file.token");
        assertThat(FlowConfig.discover(Map.of("FLOW_TOKEN_FILE", token.toString(), "FLOW_TOKEN", "explicit"),
                dir.resolve("none.yaml")).token()).contains("explicit");
        assertThat(FlowConfig.discover(Map.of(), dir.resolve("none.yaml")).token()).isEmpty();
    }
}
