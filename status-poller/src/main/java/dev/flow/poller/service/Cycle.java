package dev.flow.poller.service;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Auction;
import dev.flow.model.money.Money;
import io.smallrye.mutiny.Uni;

/** Everything one polling cycle shares: its call count, its failure flags, the spot prices fetched at most once. */
final class Cycle {

    final Instant startedAt;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger sweeps = new AtomicInteger();
    /** The projects (fids) polled for their tasks this cycle: the others' delta positions are dropped. */
    final Set<String> projectFids = ConcurrentHashMap.newKeySet();
    final AtomicBoolean failed = new AtomicBoolean();
    final AtomicBoolean mithrilFailed = new AtomicBoolean();
    /** Milliseconds spent per phase, summed over projects: why a slow cycle was slow. */
    final AtomicLong listMillis = new AtomicLong();
    final AtomicLong historyMillis = new AtomicLong();
    final AtomicLong publishMillis = new AtomicLong();
    private final MithrilClient mithril;
    private Uni<Map<String, Money>> prices;

    Cycle(Instant startedAt, MithrilClient mithril) {
        this.startedAt = startedAt;
        this.mithril = mithril;
    }

    /** One Mithril call, counted; a failure (after the client's own retries) marks the cycle's Mithril as failing. */
    <T> Uni<T> call(Uni<T> request) {
        return Uni.createFrom().deferred(() -> {
            calls.incrementAndGet();
            // after the client's own retries (429 with Retry-After, 5xx with backoff) gave up
            return request.onFailure().invoke(() -> mithrilFailed.set(true));
        });
    }

    /** Spot price per (instance type fid, region); one call per cycle, and only in cycles that publish. */
    synchronized Uni<Map<String, Money>> prices() {
        if (prices == null) {
            prices = call(mithril.spotAvailability()).map(list -> {
                Map<String, Money> byKey = new HashMap<>();
                for (Auction a : list) {
                    if (a.lastInstancePrice() != null) {
                        byKey.put(a.instanceType() + "@" + a.region(), a.lastInstancePrice());
                    }
                }
                return byKey;
            }).memoize().indefinitely();
        }
        return prices;
    }

    static long millisSince(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1_000_000;
    }
}
