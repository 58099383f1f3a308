package dev.flow.service.ssh;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;

/**
 * Opens SSH sessions to task nodes with the platform key (Apache MINA SSHD client, one shared {@link SshClient},
 * started on first use). Host keys are not pinned: Mithril instances are fresh machines whose keys nobody knows
 * beforehand (the Flow SDK connects with {@code StrictHostKeyChecking=no} too); authentication of the node rests on
 * the bid's address.
 *
 * <p>Not a CDI bean: each service produces one from its own settings and {@link #close() closes} it at shutdown.
 * Every method blocks: call it from a worker or virtual thread, never from an event loop.
 */
public class SshConnector implements AutoCloseable {

    private final SshSettings settings;
    private volatile SshClient client;
    private volatile KeyPair key;

    public SshConnector(SshSettings settings) {
        this.settings = settings;
    }

    public SshSettings settings() {
        return settings;
    }

    /** Whether a platform key is configured at all; without one no node can be reached. */
    public boolean configured() {
        return settings.privateKeyPath().filter(p -> !p.isBlank()).isPresent();
    }

    /** A session to {@code host:port}, authenticated with the platform key. Blocking. */
    public NodeShell open(String host, int port) throws IOException {
        SshClient ssh = client();
        ClientSession session = ssh.connect(settings.user(), host, port)
                .verify(settings.connectTimeout()).getSession();
        try {
            session.addPublicKeyIdentity(key());
            session.auth().verify(settings.connectTimeout());
            return new NodeShell(session, settings.connectTimeout());
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    private SshClient client() {
        SshClient current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    SshClient created = SshClient.setUpDefaultClient();
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
