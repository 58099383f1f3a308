package dev.flow.submitter.repository;

import dev.flow.service.ssh.HostKeyStore;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.time.Duration;

/**
 * The SSH host keys exec pinned (table {@code submitter.ssh_host_key}): pins survive restarts and are shared by every
 * replica, so a node's key cannot change unnoticed between two of them. Plain SQL on the reactive pool (no Hibernate
 * session needed): the SSH connector calls it from its own virtual thread, which may wait.
 */
@ApplicationScoped
public class SshHostKeyRepository implements HostKeyStore {

    /** Inserts the first pin; on conflict keeps the existing one and returns it (one statement, no race). */
    private static final String PIN = "INSERT INTO submitter.ssh_host_key (node, fingerprint, pinned_at) "
            + "VALUES ($1, $2, now()) ON CONFLICT (node) DO UPDATE SET node = EXCLUDED.node RETURNING fingerprint";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Pool pool;

    public SshHostKeyRepository(Pool pool) {
        this.pool = pool;
    }

    @Override
    public String pinOrGet(String node, String fingerprint) throws IOException {
        try {
            return pool.preparedQuery(PIN).execute(Tuple.of(node, fingerprint))
                    .map(rows -> rows.iterator().next().getString("fingerprint"))
                    .await().atMost(WAIT);
        } catch (RuntimeException e) {
            throw new IOException("cannot read the pinned SSH host key of " + node + ": " + e.getMessage(), e);
        }
    }
}
