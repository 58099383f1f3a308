package dev.flow.emulator.ssh;

import dev.flow.emulator.config.EmulatorConfig;
import dev.flow.emulator.workload.InstanceRuntime;
import dev.flow.emulator.workload.ProcessLimiter;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One Apache MINA SSHD server per RUNNING instance, on its own loopback port: the instance's {@code ssh_destination}
 * is {@code 127.0.0.1:<port>}. User {@code ubuntu}, public-key authentication with the bid's SSH keys only.
 */
@ApplicationScoped
public class SshGateway {

    public static final String USER = "ubuntu";
    private static final Logger LOG = Logger.getLogger(SshGateway.class);

    private final Map<String, SshServer> servers = new ConcurrentHashMap<>();
    /** Instances whose host key an admin call rotated; the others offer the shared {@link #hostKey}. */
    private final Map<String, KeyPair> rotatedKeys = new ConcurrentHashMap<>();
    private final String host;
    private final ProcessLimiter limiter;
    private final KeyPair hostKey;

    public SshGateway(EmulatorConfig config, ProcessLimiter limiter) {
        this.host = config.ssh().host();
        this.limiter = limiter;
        try {
            // one host key for all instances, generated per emulator run (clients pin it on first use)
            this.hostKey = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate the SSH host key", e);
        }
    }

    /** Starts the instance's server; the bound port. */
    public int open(String instanceFid, InstanceRuntime runtime, Supplier<List<PublicKey>> allowedKeys) {
        close(instanceFid);
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(host);
        server.setPort(0);
        // read per key exchange, so a rotation (rotateHostKey) applies to the next session
        server.setKeyPairProvider(session -> List.of(rotatedKeys.getOrDefault(instanceFid, hostKey)));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                && allowedKeys.get().stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
        InstanceShell shell = new InstanceShell(instanceFid, runtime);
        server.setCommandFactory((channel, command) -> new InstanceCommand(command, shell, limiter));
        // `ssh host` without a command: a login shell reading the session's input (no PTY emulation)
        server.setShellFactory(channel -> new InstanceCommand("exec bash -l", shell, limiter));
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start SSH for " + instanceFid, e);
        }
        servers.put(instanceFid, server);
        LOG.debugf("instance %s: ssh on %s:%d", instanceFid, host, server.getPort());
        return server.getPort();
    }

    /**
     * Test hook ({@code POST /_emulator/instances/{fid}/rotate-host-key}): the instance's SSH server offers a new
     * host key from its next session on, as a reinstalled machine (or someone in between) would.
     *
     * @return the new key's fingerprint
     */
    public String rotateHostKey(String instanceFid) {
        if (!servers.containsKey(instanceFid)) {
            throw new IllegalArgumentException("instance " + instanceFid + " has no SSH server");
        }
        try {
            KeyPair fresh = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
            rotatedKeys.put(instanceFid, fresh);
            return KeyUtils.getFingerPrint(fresh.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an SSH host key", e);
        }
    }

    public String host() {
        return host;
    }

    /** Stops the instance's server, closing its sessions. */
    public void close(String instanceFid) {
        SshServer server = servers.remove(instanceFid);
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException e) {
                LOG.debugf("instance %s: ssh stop: %s", instanceFid, e.getMessage());
            }
        }
    }

    public void closeAll() {
        rotatedKeys.clear();
        List.copyOf(servers.keySet()).forEach(this::close);
    }

    void onStop(@Observes ShutdownEvent event) {
        closeAll();
    }
}
