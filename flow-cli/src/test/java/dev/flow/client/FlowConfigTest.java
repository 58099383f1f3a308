package dev.flow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void theCurrentContextOverridesTheFileAndTheEnvironmentStillWins() throws IOException {
        Path prodToken = Files.writeString(dir.resolve("prod-token"), "eyJ.prod.token\n");
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                api_url: http://top.example.com
                token: top-token
                project: top-project
                region: top-region
                contexts:
                  prod: {api_url: https://prod.example.com, token_file: %s, project: prod-project}
                  dev: {api_url: http://127.0.0.1:8081, token: dev-token}
                current_context: prod
                """.formatted(prodToken));
        FlowConfig prod = FlowConfig.discover(Map.of(), file);
        assertThat(prod.apiUrl()).hasToString("https://prod.example.com");
        assertThat(prod.token()).as("the context's token file, not the top-level token").contains("eyJ.prod.token");
        assertThat(prod.project()).contains("prod-project");
        assertThat(prod.region()).as("keys the context does not set come from the top level").contains("top-region");

        // FLOW_CONTEXT and an explicit context pick another one; the environment wins over any context
        assertThat(FlowConfig.discover(Map.of("FLOW_CONTEXT", "dev"), file).token()).contains("dev-token");
        assertThat(FlowConfig.discover(Map.of("FLOW_CONTEXT", "dev"), file, "prod").apiUrl())
                .hasToString("https://prod.example.com");
        assertThat(FlowConfig.discover(Map.of("MITHRIL_DEFAULT_PROJECT", "env-project"), file).project())
                .contains("env-project");
        assertThatThrownBy(() -> FlowConfig.discover(Map.of(), file, "staging"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staging")
                .hasMessageContaining("prod, dev");

        ConfigFile.read(file).useContext("dev");
        assertThat(ConfigFile.read(file).currentContext()).contains("dev");
        assertThat(FlowConfig.discover(Map.of(), file).apiUrl()).hasToString("http://127.0.0.1:8081");
        assertThat(ConfigFile.read(file).contexts()).containsOnlyKeys("prod", "dev");
    }
}
