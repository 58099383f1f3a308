package dev.flow.service.ssh;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Iterator;

/**
 * Opens SSH sessions to task nodes with the platform key (Apache MINA SSHD client, one shared {@link SshClient},
 * started on first use). Host keys are pinned on first use ({@link HostKeyStore}): Mithril instances are fresh
 * machines whose keys nobody knows beforehand and Mithril's API does not publish them, so the first key a node offers
 * is kept and a session offering another one is refused ({@link HostKeyChangedException}, logged as a WARN). The
 * check runs right after the key exchange and authentication, before any channel (command) is opened on the session:
 * the public-key signature is bound to that session, so a node in between learns nothing it could reuse.
 *
 * <p>Not a CDI bean: each service produces one from its own settings and {@link #close() closes} it at shutdown.
 * Every method blocks: call it from a worker or virtual thread, never from an event loop.
 */
public class SshConnector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SshConnector.class);

    private final SshSettings settings;
    private final HostKeyStore hostKeys;
    private volatile SshClient client;
    private volatile KeyPair key;

    /** Pins host keys in memory (for the life of this process). */
    public SshConnector(SshSettings settings) {
        this(settings, HostKeyStore.inMemory());
    }

    public SshConnector(SshSettings settings, HostKeyStore hostKeys) {
        this.settings = settings;
        this.hostKeys = hostKeys;
    }

    public SshSettings settings() {
        return settings;
    }

    /** Whether a platform key is configured at all; without one no node can be reached. */
    public boolean configured() {
        return settings.privateKeyPath().filter(p -> !p.isBlank()).isPresent();
    }

    /**
     * What a node's host key is pinned to: {@code <instance id>@host:port}, so an address the provider reuses for
     * another instance (a new machine, a new key) gets a pin of its own rather than a refusal.
     */
    public static String nodeId(String instanceId, String host, int port) {
        return (instanceId == null || instanceId.isBlank() ? "" : instanceId + "@") + host + ":" + port;
    }

    /** A session to {@code host:port}, authenticated with the platform key; its host key pinned by address. */
    public NodeShell open(String host, int port) throws IOException {
        return open(host + ":" + port, host, port);
    }

    /**
     * A session to {@code host:port}, authenticated with the platform key. Blocking.
     *
     * @param node what the host key is pinned to (e.g. {@code <instance id>@host:port}: an address Mithril reuses
     *             for another instance then gets a pin of its own)
     * @throws HostKeyChangedException when the node offers another host key than the one pinned for it
     */
    public NodeShell open(String node, String host, int port) throws IOException {
        SshClient ssh = client();
        ClientSession session = ssh.connect(settings.user(), host, port)
                .verify(settings.connectTimeout()).getSession();
        try {
            session.addPublicKeyIdentity(key());
            session.auth().verify(settings.connectTimeout());
            checkHostKey(node, session.getServerKey());
            return new NodeShell(session, settings.connectTimeout());
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    private void checkHostKey(String node, PublicKey offered) throws IOException {
        if (offered == null) {
            throw new IOException("no host key from " + node + " after the key exchange");
        }
        String fingerprint = KeyUtils.getFingerPrint(offered);
        String pinned = hostKeys.pinOrGet(node, fingerprint);
        if (!fingerprint.equals(pinned)) {
            HostKeyChangedException changed = new HostKeyChangedException(node, pinned, fingerprint);
            LOG.warnf("refusing SSH to %s: %s", node, changed.getMessage());
            throw changed;
        }
    }

    private SshClient client() {
        SshClient current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    SshClient created = SshClient.setUpDefaultClient();
                    // the key exchange accepts any key; open() then checks it against the pin before any command
                    created.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
                    CoreModuleProperties.HEARTBEAT_INTERVAL.set(created, settings.heartbeat());
                    created.start();
                    client = created;
                }
                current = client;
            }
        }
        return current;
    }

    private KeyPair key() throws IOException {
        KeyPair current = key;
        if (current == null) {
            Path path = Path.of(settings.privateKeyPath().filter(p -> !p.isBlank())
                    .orElseThrow(() -> new IOException("no platform SSH private key path is configured")));
            try (InputStream in = Files.newInputStream(path)) {
                Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("platform"),
                        in, null);
                Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
                if (it == null || !it.hasNext()) {
                    // the message names the file, never its content
                    throw new IOException("no private key in " + path);
                }
                current = it.next();
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot read the private key in " + path + ": " + e.getClass().getSimpleName());
            }
            key = current;
        }
        return current;
    }

    /** Stops the shared client (and with it every open session). */
    @Override
    public void close() {
        SshClient current = client;
        if (current != null) {
            current.stop();
        }
    }
}
