package dev.flow.mithril.client;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;

class RetryPolicyTest {

    private final RetryPolicy policy =
            new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30));

    @Test
    void ceilingDoublesUpToTheMaximum() {
        assertThat(policy.ceilingMillis(1)).isEqualTo(100);
        assertThat(policy.ceilingMillis(2)).isEqualTo(200);
        assertThat(policy.ceilingMillis(4)).isEqualTo(800);
        assertThat(policy.ceilingMillis(5)).isEqualTo(1000);
        assertThat(policy.ceilingMillis(60)).isEqualTo(1000);
    }

    @RepeatedTest(20)
    void fullJitterStaysWithinZeroAndTheCeiling() {
        for (int retry = 1; retry <= 6; retry++) {
            Duration d = policy.delayBefore(retry, null);
            assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(policy.ceilingMillis(retry)));
        }
    }

    @Test
    void retryAfterWinsOverBackoffButIsCapped() {
        assertThat(policy.delayBefore(1, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.delayBefore(1, Duration.ofHours(2))).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void parsesRetryAfterSecondsAndHttpDates() {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(7).atOffset(ZoneOffset.UTC));

        assertThat(Retries.parseRetryAfter("2", () -> now)).isEqualTo(Duration.ofSeconds(2));
        assertThat(Retries.parseRetryAfter(date, () -> now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(Retries.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", () -> now)).isEqualTo(Duration.ZERO);
        assertThat(Retries.parseRetryAfter("soon", () -> now)).isNull();
        assertThat(Retries.parseRetryAfter(null, () -> now)).isNull();
    }

    @Test
    void retriesRateLimitsServerErrorsAndLostConnectionsOnly() {
        assertThat(Retries.isRetryable(failure(429))).isTrue();
        assertThat(Retries.isRetryable(failure(503))).isTrue();
        assertThat(Retries.isRetryable(failure(500))).isTrue();
        assertThat(Retries.isRetryable(failure(504))).isTrue();
        assertThat(Retries.isRetryable(failure(501))).isFalse();
        assertThat(Retries.isRetryable(failure(400))).isFalse();
        assertThat(Retries.isRetryable(failure(401))).isFalse();
        assertThat(Retries.isRetryable(failure(404))).isFalse();
        assertThat(Retries.isRetryable(failure(409))).isFalse();
        assertThat(Retries.isRetryable(failure(422))).isFalse();
        assertThat(Retries.isRetryable(new java.net.ConnectException("refused"))).isTrue();
        assertThat(Retries.isRetryable(new io.vertx.core.http.HttpClosedException("closed"))).isTrue();
        assertThat(Retries.isRetryable(new java.util.concurrent.TimeoutException())).isTrue();
        assertThat(Retries.isRetryable(new IllegalStateException())).isFalse();
    }

    private static HttpFailure failure(int status) {
        return new HttpFailure(status, "GET", "/v2/x", "", null, "req");
    }
}
