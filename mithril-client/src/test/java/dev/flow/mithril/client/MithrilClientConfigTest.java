package dev.flow.mithril.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MithrilClientConfigTest {

    private static final String KEY = "fkey_SECRETsecret123456";

    @Test
    void readsTheSeedVariables() {
        var config = MithrilClientConfig.fromEnv(Map.of(
                "MITHRIL_API_KEY", KEY,
                "MITHRIL_DEFAULT_PROJECT", "proj_abc",
                "MITHRIL_DEFAULT_REGION", "us-central1-b",
                "MITHRIL_SSH_KEYS", " sshkey_a, sshkey_b ,,",
                "MITHRIL_API_URL", "http://localhost:8090/",
                "MITHRIL_REQUEST_TIMEOUT", "7",
                "MITHRIL_CONNECT_TIMEOUT", "PT2S",
                "MITHRIL_MAX_RETRIES", "2"));

        assertThat(config.apiKey()).isEqualTo(KEY);
        assertThat(config.apiUrl()).isEqualTo("http://localhost:8090");
        assertThat(config.defaultProject()).isEqualTo("proj_abc");
        assertThat(config.defaultRegion()).isEqualTo("us-central1-b");
        assertThat(config.sshKeys()).containsExactly("sshkey_a", "sshkey_b");
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.retry().maxRetries()).isEqualTo(2);
    }

    @Test
    void defaultsToTheRealApiAndSaneTimeouts() {
        var config = MithrilClientConfig.fromEnv(Map.of("MITHRIL_API_KEY", KEY));

        assertThat(config.apiUrl()).isEqualTo("https://api.mithril.ai");
        assertThat(config.sshKeys()).isEmpty();
        assertThat(config.defaultProject()).isNull();
        assertThat(config.connectTimeout()).isEqualTo(MithrilClientConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(config.requestTimeout()).isEqualTo(MithrilClientConfig.DEFAULT_REQUEST_TIMEOUT);
        assertThat(config.retry()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(config.userAgent()).startsWith("flow-platform/").doesNotEndWith("/");
    }

    @Test
    void userAgentCarriesTheBuildVersion() {
        assertThat(MithrilClientConfig.of(null, KEY).userAgent()).isEqualTo("flow-platform/0.1.0-SNAPSHOT");
    }

    @Test
    void toStringNeverShowsTheKey() {
        var config = MithrilClientConfig.fromEnv(Map.of("MITHRIL_API_KEY", KEY, "MITHRIL_DEFAULT_PROJECT", "p"));

        assertThat(config.toString()).doesNotContain(KEY).doesNotContain("SECRET").contains("apiKey=<redacted>")
                .contains("defaultProject=p");
        assertThat(config.redactedKey()).doesNotContain("SECRET").startsWith("fkey_");
    }

    @Test
    void aMissingKeyIsRefusedWithTheVariableName() {
        assertThatThrownBy(() -> MithrilClientConfig.fromEnv(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MITHRIL_API_KEY");
        assertThatThrownBy(() -> MithrilClientConfig.fromEnv(Map.of("MITHRIL_API_KEY", "  ")))
                .hasMessageContaining("MITHRIL_API_KEY");
    }

    @Test
    void aBadTimeoutNamesTheVariable() {
        assertThatThrownBy(() -> MithrilClientConfig.fromEnv(Map.of("MITHRIL_API_KEY", KEY,
                "MITHRIL_REQUEST_TIMEOUT", "soon")))
                .hasMessageContaining("MITHRIL_REQUEST_TIMEOUT");
    }
}
