package dev.flow.service.ssh;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a service reaches task nodes over SSH: each service maps its own config ({@code flow.logs.*},
 * {@code flow.submitter.*}) to this, so the connector itself needs no CDI config of its own.
 *
 * @param privateKeyPath the platform's private key file (OpenSSH or PEM); read on first use, never logged
 * @param user           the login user on Mithril instances
 * @param connectTimeout connect plus authentication timeout of one session
 * @param heartbeat      keep-alive interval of idle sessions (dead peers are noticed)
 */
public record SshSettings(Optional<String> privateKeyPath, String user, Duration connectTimeout, Duration heartbeat) {

    public SshSettings {
        Objects.requireNonNull(privateKeyPath, "privateKeyPath");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(heartbeat, "heartbeat");
    }
}
