package dev.flow.service.ssh;

import java.io.IOException;

/**
 * A node offered another SSH host key than the one pinned for it on first connect: the session was closed before any
 * command ran on it. Either the node was replaced behind the same address or someone is in between. Fingerprints are
 * public data; the message carries them so an operator can compare.
 */
public class HostKeyChangedException extends IOException {

    private final String node;

    public HostKeyChangedException(String node, String pinned, String offered) {
        super("the SSH host key of " + node + " changed: pinned " + pinned + ", offered " + offered);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
