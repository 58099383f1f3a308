package dev.flow.submitter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Settings of {@code exec} (commands on a task's nodes over SSH) and of invocations. A second mapping of the
 * {@code flow.submitter} prefix, kept apart from {@link SubmitterConfig} so the two features evolve independently.
 */
@ConfigMapping(prefix = "flow.submitter")
public interface ExecConfig {

    /**
     * The platform's SSH private key (env {@code FLOW_PLATFORM_SSH_PRIVATE_KEY_PATH}, the one the log-streamer reads):
     * its public half is the platform key added to every bid. Without it {@code exec} answers 503. Never logged.
     */
    Optional<String> sshPrivateKeyPath();

    Exec exec();

    Invocations invocations();

    interface Exec {
        /** The login user on Mithril instances. */
        @WithDefault("ubuntu")
        String sshUser();

        /** Connect plus authentication timeout of one SSH session. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** Keep-alive of the (shared) SSH client's sessions. */
        @WithDefault("15s")
        Duration heartbeat();

        /** {@code timeout_seconds} when the request gives none. */
        @WithDefault("60")
        int defaultTimeoutSeconds();

        /** The largest {@code timeout_seconds} a request may ask for. */
        @WithDefault("3600")
        int maxTimeoutSeconds();

        /** Bytes of stdout (and of stderr) a non-streamed answer keeps; the rest is dropped and flagged. */
        @WithDefault("1048576")
        int maxOutputBytes();

        /** Exec sessions (streamed or not) open at once in this replica; one more is a 429 with Retry-After. */
        @WithDefault("64")
        int maxSessions();

        /** Exec sessions open at once per project in this replica, so one project cannot take them all. */
        @WithDefault("16")
        int maxSessionsPerProject();

        /** The {@code Retry-After} of a 429 answered when no session is free. */
        @WithDefault("5s")
        Duration busyRetryAfter();

        /**
         * Largest piece of output a streamed exec reads from SSH at once. A streamed exec reads the next piece only
         * when the HTTP response has written the previous one, so a slow reader holds about this much (per stream)
         * plus the SSH channel's window, and the node's command waits.
         */
        @WithDefault("16384")
        int streamChunkBytes();
    }

    interface Invocations {
        /**
         * How long after its task ended an invocation with no result line yet stays {@code running} (the log line
         * may still be on its way) before it is reported {@code failed}.
         */
        @WithDefault("30s")
        Duration resultGrace();

        /** Largest {@code module_source}, in bytes (the startup script's limit usually refuses less). */
        @WithDefault("262144")
        int maxModuleSourceBytes();
    }
}
