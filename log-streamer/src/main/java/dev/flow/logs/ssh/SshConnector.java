package dev.flow.logs.ssh;

import dev.flow.logs.config.LogsConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
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
 * Opens SSH sessions to task nodes with the platform key (Apache MINA SSHD client, one shared {@link SshClient}).
 * Host keys are not pinned: Mithril instances are fresh machines whose keys nobody knows beforehand (the Flow SDK
 * connects with {@code StrictHostKeyChecking=no} too); authentication of the node rests on the bid's address.
 */
@ApplicationScoped
public class SshConnector {

    private final LogsConfig config;
    private volatile SshClient client;
    private volatile KeyPair key;

    public SshConnector(LogsConfig config) {
        this.config = config;
    }

    /** Whether a platform key is configured at all; without one no node can be tailed. */
    public boolean configured() {
        return config.sshPrivateKeyPath().filter(p -> !p.isBlank()).isPresent();
    }

    /** A session to {@code host:port}, authenticated with the platform key. Blocking. */
    public NodeShell open(String host, int port) throws IOException {
        SshClient ssh = client();
        ClientSession session = ssh.connect(config.sshUser(), host, port)
                .verify(config.sshConnectTimeout()).getSession();
        try {
            session.addPublicKeyIdentity(key());
            session.auth().verify(config.sshConnectTimeout());
            return new NodeShell(session, config.sshConnectTimeout());
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
                    CoreModuleProperties.HEARTBEAT_INTERVAL.set(created, config.sshHeartbeat());
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
            Path path = Path.of(config.sshPrivateKeyPath()
                    .orElseThrow(() -> new IOException("flow.logs.ssh-private-key-path is not set")));
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

    void stop(@Observes ShutdownEvent event) {
        SshClient current = client;
        if (current != null) {
            current.stop();
        }
    }
}
