package dev.flow.submitter.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One holder's side of a named lease in {@code submitter.lease}: work that must run in one instance at a time runs
 * only while {@link #held()}. Taking and renewing are one UPDATE, which succeeds only for the holder itself or once
 * the hold has expired, so two holders never both succeed. Expiry is the database's clock, never an instance's.
 * <p>
 * {@link #held()} is local: true until {@code ttl - ttl/5} after the last successful renewal was <em>sent</em>. The
 * database's expiry is at least {@code ttl} after that, so this holder stops believing it holds the lease before
 * another one can take it (the fifth of the ttl covers work already under way and a slow clock).
 * Plain SQL on the reactive pool: no Hibernate session, so it runs from any thread or context.
 */
public class Lease {

    private static final String ENSURE = "INSERT INTO submitter.lease (name, holder, expires_at) "
            + "VALUES ($1, NULL, '1970-01-01T00:00:00Z') ON CONFLICT (name) DO NOTHING";
    private static final String TAKE_OR_RENEW = "UPDATE submitter.lease SET holder = $2, "
            + "expires_at = now() + make_interval(secs => $3) "
            + "WHERE name = $1 AND (holder = $2 OR expires_at <= now()) RETURNING expires_at";
    private static final String CURRENT = "SELECT holder, expires_at FROM submitter.lease WHERE name = $1";
    private static final String RELEASE = "UPDATE submitter.lease SET holder = NULL, expires_at = now() "
            + "WHERE name = $1 AND holder = $2";

    /** Who holds the lease as last seen by this holder (empty holder: nobody). */
    public record Seen(Optional<String> holder, OffsetDateTime expiresAt) {
    }

    private final Pool pool;
    private final String name;
    private final String holder;
    private final Duration ttl;
    private final AtomicLong heldUntilNanos = new AtomicLong(System.nanoTime());
    private final AtomicBoolean held = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean ensured = new AtomicBoolean();
    private final AtomicReference<Seen> seen = new AtomicReference<>();

    public Lease(Pool pool, String name, String holder, Duration ttl) {
        this.pool = pool;
        this.name = name;
        this.holder = holder;
        this.ttl = ttl;
    }

    public String name() {
        return name;
    }

    public String holder() {
        return holder;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Whether this holder may do the lease's work now (see the class comment); false for good once released. */
    public boolean held() {
        return held.get() && !released.get() && System.nanoTime() - heldUntilNanos.get() < 0;
    }

    /** The lease's row as last read (by a renewal that failed to take it, or the renewal itself). */
    public Optional<Seen> seen() {
        return Optional.ofNullable(seen.get());
    }

    /**
     * Takes the lease when it is free or expired, or extends this holder's hold; one UPDATE.
     *
     * @return whether this holder holds it now (false after {@link #release()})
     */
    public Uni<Boolean> renew() {
        if (released.get()) {
            return Uni.createFrom().item(false);
        }
        long sentAt = System.nanoTime();
        Uni<Void> ensure = ensured.get() ? Uni.createFrom().voidItem()
                : pool.preparedQuery(ENSURE).execute(Tuple.of(name)).invoke(() -> ensured.set(true)).replaceWithVoid();
        return ensure
                .chain(() -> pool.preparedQuery(TAKE_OR_RENEW)
                        .execute(Tuple.of(name, holder, ttl.toMillis() / 1000.0)))
                .chain(rows -> {
                    if (rows.rowCount() == 1 && released.get()) {
                        // released while this renewal was under way (it may have run after the release): give the
                        // lease back again, so the next instance need not wait for the expiry
                        return pool.preparedQuery(RELEASE).execute(Tuple.of(name, holder)).replaceWith(false);
                    }
                    if (rows.rowCount() == 1) {
                        heldUntilNanos.set(sentAt + ttl.minus(ttl.dividedBy(5)).toNanos());
                        held.set(true);
                        seen.set(new Seen(Optional.of(holder), rows.iterator().next().getOffsetDateTime("expires_at")));
                        return Uni.createFrom().item(true);
                    }
                    held.set(false);
                    // another instance holds it: read who, for the health data (standbys only)
                    return pool.preparedQuery(CURRENT).execute(Tuple.of(name)).map(this::remember).replaceWith(false);
                })
                .onFailure().invoke(() -> held.set(false));
    }

    private RowSet<Row> remember(RowSet<Row> rows) {
        if (rows.iterator().hasNext()) {
            Row row = rows.iterator().next();
            seen.set(new Seen(Optional.ofNullable(row.getString("holder")), row.getOffsetDateTime("expires_at")));
        }
        return rows;
    }

    /**
     * Gives the lease up for good (shutdown): this holder stops at once and another instance takes the lease at its
     * next renewal instead of waiting for the expiry.
     */
    public Uni<Void> release() {
        released.set(true);
        held.set(false);
        return pool.preparedQuery(RELEASE).execute(Tuple.of(name, holder)).replaceWithVoid();
    }
}
