package dev.flow.mithril.client;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/** What is worth retrying, how long to wait, and the Mutiny retry operator that does it. */
final class Retries {

    private static final System.Logger LOG = System.getLogger(MithrilClient.class.getName());

    private Retries() {
    }

    /** 429, 5xx but 501 (not implemented stays not implemented), and failures before any answer. */
    static boolean isRetryable(Throwable t) {
        if (t instanceof HttpFailure h) {
            return isRetryableStatus(h.status);
        }
        return isConnectionFailure(t) || t instanceof TimeoutException;
    }

    /** The answers a later attempt may not meet: 429 and 5xx but 501. */
    static boolean isRetryableStatus(int status) {
        return status == 429 || (status >= 500 && status <= 599 && status != 501);
    }

    /** Connection refused/reset/closed: no answer came, the request may or may not have been processed. */
    static boolean isConnectionFailure(Throwable t) {
        return t instanceof IOException
                || t instanceof io.vertx.core.VertxException
                || t instanceof io.netty.channel.ChannelException;
    }

    static Duration retryAfter(Throwable t) {
        return t instanceof HttpFailure h ? h.retryAfter : null;
    }

    /** {@code Retry-After}: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Unparseable → absent. */
    static Duration parseRetryAfter(String header, Supplier<Instant> now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Duration.ZERO : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(now.get(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /**
     * Mutiny's retry operator, driven by {@code policy}: each retryable failure waits
     * {@link RetryPolicy#delayBefore} and resubscribes (a new HTTP request); after {@code maxRetries} the last
     * failure propagates. Non-retryable failures propagate at once.
     */
    static <T> Uni<T> withRetry(Uni<T> call, RetryPolicy policy, String what) {
        if (policy.maxRetries() == 0) {
            return call;
        }
        Function<Multi<Throwable>, Flow.Publisher<?>> schedule = failures -> {
            AtomicInteger retries = new AtomicInteger();
            return failures.onItem().transformToUniAndConcatenate(failure -> {
                int n = retries.incrementAndGet();
                if (n > policy.maxRetries()) {
                    return Uni.createFrom().failure(failure);
                }
                Duration delay = policy.delayBefore(n, retryAfter(failure));
                LOG.log(Level.INFO, "Mithril {0} failed ({1}); retry {2}/{3} in {4} ms",
                        what, describe(failure), n, policy.maxRetries(), delay.toMillis());
                // delayIt() rejects zero; 1 ms keeps "retry now" meaning retry now
                Duration wait = delay.isZero() ? Duration.ofMillis(1) : delay;
                return Uni.createFrom().item(failure).onItem().delayIt().by(wait);
            });
        };
        return call.onFailure(Retries::isRetryable).retry().when(schedule);
    }

    static String describe(Throwable t) {
        if (t instanceof HttpFailure h) {
            return "HTTP " + h.status + (h.retryAfter == null ? "" : ", Retry-After " + h.retryAfter.toSeconds() + "s");
        }
        return t.getClass().getSimpleName();
    }
}
