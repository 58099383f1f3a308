package dev.flow.logs.ssh;

import dev.flow.logs.config.LogsConfig;
import dev.flow.service.ssh.SshConnector;
import dev.flow.service.ssh.SshSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** The shared SSH connector (service-support) configured from {@code flow.logs.*}; stopped at shutdown. */
@ApplicationScoped
public class SshConnectorProducer {

    @Produces
    @ApplicationScoped
    SshConnector connector(LogsConfig config) {
        return new SshConnector(new SshSettings(config.sshPrivateKeyPath(), config.sshUser(),
                config.sshConnectTimeout(), config.sshHeartbeat()));
    }

    void close(@Disposes SshConnector connector) {
        connector.close();
    }
}
