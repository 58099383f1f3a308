package dev.flow.service.ssh;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the SSH host keys of task nodes are pinned (trust on first use): the first fingerprint seen for a node is
 * kept, and a later session offering another key is refused ({@link HostKeyChangedException}). Mithril's API does
 * not publish instance host keys, so first use is the only trust anchor there is.
 *
 * <p>Blocking: the connector calls it from its worker or virtual thread, never from an event loop.
 */
public interface HostKeyStore {

    /**
     * Pins {@code fingerprint} for {@code node} unless a key is pinned already.
     *
     * @param node        which node: an instance id and/or {@code host:port}
     * @param fingerprint the offered key's fingerprint ({@code SHA256:…})
     * @return the pinned fingerprint: {@code fingerprint} itself on first use, else the one pinned before
     */
    String pinOrGet(String node, String fingerprint) throws IOException;

    /** Pins in this process's memory only: enough where the pins need not survive a restart. */
    static HostKeyStore inMemory() {
        Map<String, String> pins = new ConcurrentHashMap<>();
        return (node, fingerprint) -> pins.computeIfAbsent(node, ignored -> fingerprint);
    }
}
