package dev.flow.service.security;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Multi;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A stream lives no longer than the token that opened it: once the token expires the caller is no longer known, so
 * an SSE stream completes and a socket closes (the client reconnects with a fresh token and resumes from its last
 * offset).
 */
public final class TokenLifetime {

    private TokenLifetime() {
    }

    /** How long the token stays valid from now (zero when expired; a token without {@code exp} never is). */
    public static Duration remaining(JsonWebToken token) {
        long exp = token.getExpirationTime();
        if (exp <= 0) {
            return Duration.ofDays(3650);
        }
        Duration left = Duration.between(Instant.now(), Instant.ofEpochSecond(exp));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * The stream, ended when the token expires: the subscriber sees completion and the stream is cancelled (which
     * releases what it holds: a log view, a change listener).
     */
    public static <T> Multi<T> bounded(Multi<T> stream, JsonWebToken token) {
        // select().first(Duration) completes the subscriber but does not cancel its upstream (Mutiny 3.1): without
        // the explicit cancel below, the stream would go on producing into nothing until the client disconnects
        AtomicReference<Flow.Subscription> upstream = new AtomicReference<>();
        return stream.onSubscription().invoke(upstream::set)
                .select().first(remaining(token))
                .onTermination().invoke(() -> {
                    Flow.Subscription subscription = upstream.getAndSet(null);
                    if (subscription != null) {
                        subscription.cancel();
                    }
                });
    }
}
