package dev.flow.service.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;

import dev.flow.mithril.client.MithrilApiException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void theInfrastructureGoingAwayIsTransientWhereverItIsWrapped() {
        assertThat(Failures.isTransient(new ConnectException("Connection refused"))).isTrue();
        assertThat(Failures.isTransient(new CompletionException(new RuntimeException(
                new ConnectException("Connection refused"))))).isTrue();
        assertThat(Failures.isTransient(new java.sql.SQLException("terminating", "57P01"))).isTrue();
        assertThat(Failures.isTransient(new java.sql.SQLException("could not serialize", "40001"))).isTrue();
        assertThat(Failures.isTransient(new java.util.concurrent.TimeoutException())).isTrue();
        assertThat(Failures.isTransient(new NotEnoughReplicasException("2 < 2"))).isTrue();
        assertThat(Failures.isTransient(new RecordTooLargeException("big"))).isFalse();
        assertThat(Failures.isTransient(mithril(503))).isTrue();
        assertThat(Failures.isTransient(mithril(429))).isTrue();
    }

    @Test
    void whatTheMessageItselfCausesIsNot() {
        assertThat(Failures.isTransient(new IllegalArgumentException("invalid event data"))).isFalse();
        assertThat(Failures.isTransient(new java.sql.SQLException("duplicate key", "23505"))).isFalse();
        assertThat(Failures.isTransient(new NullPointerException())).isFalse();
        assertThat(Failures.isTransient(mithril(404))).isFalse();
        assertThat(Failures.isTransient(mithril(422))).isFalse();
    }

    private static MithrilApiException mithril(int status) {
        return new MithrilApiException(status, "DELETE", "/v2/spot/bids/bid_1", "", "req", null);
    }
}
