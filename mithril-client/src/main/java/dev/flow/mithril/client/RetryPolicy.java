package dev.flow.mithril.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the client retries 429, 5xx (except 501) and connection failures.
 *
 * @param maxRetries     retries after the first attempt (0 disables retrying)
 * @param initialBackoff backoff ceiling of the first retry; doubled per retry ("exponential")
 * @param maxBackoff     largest backoff ceiling
 * @param maxRetryAfter  a server's {@code Retry-After} is honoured up to this long; a longer one is cut to it
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

    /** 4 retries, backoff 0.5 s doubling to 10 s, Retry-After honoured up to 60 s (the Flow SDK retries 3×, 1 s→10 s). */
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(60));

    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff");
        }
    }

    /**
     * The wait before retry number {@code retry} (1-based). A server's {@code Retry-After} wins when present, because
     * the server knows when it will have capacity again; otherwise "full jitter" (uniform in
     * [0, min(max, initial·2^(retry-1))]) so that many clients hit by the same outage do not come back in lockstep.
     */
    public Duration delayBefore(int retry, Duration retryAfter) {
        if (retryAfter != null) {
            Duration bounded = retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
            return bounded.isNegative() ? Duration.ZERO : bounded;
        }
        long ceiling = ceilingMillis(retry);
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    /** The upper bound of the jittered backoff before retry number {@code retry}. */
    long ceilingMillis(int retry) {
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long exp = initialBackoff.toMillis() << shift;
        return Math.min(maxBackoff.toMillis(), exp < 0 ? Long.MAX_VALUE : exp);
    }
}
