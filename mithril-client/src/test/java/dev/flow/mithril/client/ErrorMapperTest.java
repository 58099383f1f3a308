package dev.flow.mithril.client;

import dev.flow.model.error.AuthenticationError;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorMapperTest {

    private static final String KEY = "fkey_TOPSECRET0123456789";
    private final ErrorMapper mapper = new ErrorMapper(MithrilJson.create(), KEY);

    @Test
    void fastApiValidationDetailBecomesFieldErrors() {
        RuntimeException e = map(422, """
                {"detail":[{"loc":["body","limit_price"],"msg":"must start with $","type":"value_error"},
                           {"loc":["body","launch_specification","ssh_keys",0],"msg":"unknown key","type":"value_error"},
                           {"loc":["query","project"],"msg":"field required","type":"missing"}]}""");

        assertThat(e).isInstanceOf(ValidationError.class);
        assertThat(((ValidationError) e).errors()).containsExactly(
                FieldError.of("limit_price", "must start with $"),
                FieldError.of("launch_specification.ssh_keys[0]", "unknown key"),
                FieldError.of("project", "field required"));
        assertThat(e.getMessage()).contains("limit_price: must start with $");
    }

    @Test
    void badRequestIsAValidationErrorToo() {
        assertThat(map(400, "{\"detail\":\"File shares not available in region\"}"))
                .isInstanceOf(ValidationError.class).hasMessageContaining("File shares not available");
    }

    @Test
    void authFailuresAreAuthenticationErrorsWithoutTheKey() {
        RuntimeException e = map(401, "{\"detail\":\"Invalid credentials: " + KEY + "\"}");

        assertThat(e).isInstanceOf(AuthenticationError.class).hasMessageContaining("Invalid credentials");
        assertThat(e.getMessage()).doesNotContain("TOPSECRET");
        assertThat(e.getCause()).isInstanceOf(MithrilApiException.class);
        assertThat(((MithrilApiException) e.getCause()).status()).isEqualTo(401);
        assertThat(e.getCause().getMessage()).doesNotContain("TOPSECRET");
        assertThat(map(403, "")).isInstanceOf(AuthenticationError.class);
    }

    @Test
    void notFoundQuotaAndTimeoutAreTyped() {
        assertThat(map(404, "{\"detail\":\"Bid not found\"}")).isInstanceOf(ResourceNotFoundError.class)
                .hasMessageContaining("Bid not found");
        assertThat(map(409, "{\"detail\":\"Spot quota exceeded for it_1\"}")).isInstanceOf(InsufficientQuotaError.class);
        assertThat(map(504, "gateway timeout")).isInstanceOf(FlowTimeoutError.class);
        assertThat(mapper.toPublic(new TimeoutException("idle"))).isInstanceOf(FlowTimeoutError.class);
        assertThat(mapper.toPublic(new ConnectException("refused"))).isInstanceOf(FlowServiceError.class)
                .hasMessageContaining("unreachable");
    }

    @Test
    void everythingElseIsAMithrilApiExceptionWithStatusAndDetail() {
        RuntimeException e = mapper.toPublic(new HttpFailure(429, "GET", "/v2/spot/bids", "{\"detail\":\"slow down\"}",
                Duration.ofSeconds(2), "req-1"));

        assertThat(e).isInstanceOfSatisfying(MithrilApiException.class, m -> {
            assertThat(m.status()).isEqualTo(429);
            assertThat(m.detail()).isEqualTo("slow down");
            assertThat(m.retryAfter()).contains(Duration.ofSeconds(2));
            assertThat(m.requestId()).isEqualTo("req-1");
            assertThat(m.toFlowError().httpStatus()).isEqualTo(429);
        });
        assertThat(map(409, "{\"detail\":\"volume is attached\"}")).isInstanceOf(MithrilApiException.class);
        assertThat(map(502, "<html>bad gateway</html>")).hasMessageContaining("bad gateway");
    }

    private RuntimeException map(int status, String body) {
        return mapper.toPublic(new HttpFailure(status, "POST", "/v2/spot/bids", body, null, "req"));
    }
}
