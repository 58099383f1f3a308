package dev.flow.mithril.client;

import dev.flow.model.error.FlowServiceError;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A real connection to a port nobody listens on: refused, retried, then a typed error. */
class UnreachableMithrilTest {

    private static final String KEY = "fkey_unreachableSECRET12345";

    @Test
    void aRefusedConnectionIsRetriedThenReportedAsUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MithrilClientConfig config = MithrilClientConfig.of("http://127.0.0.1:" + port, KEY)
                .withRetry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(1)));
        try (MithrilClient client = MithrilClient.create(config)) {
            Throwable failure = catchThrowable(() -> client.projects().await().atMost(Duration.ofSeconds(20)));

            assertThat(failure).isInstanceOf(FlowServiceError.class).hasMessageContaining("unreachable");
            assertThat(((FlowServiceError) failure).httpStatus()).isEqualTo(503);
            assertThat(String.valueOf(failure)).doesNotContain("SECRET");
        }
    }
}
