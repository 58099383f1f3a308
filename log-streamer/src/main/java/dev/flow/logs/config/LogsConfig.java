package dev.flow.logs.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The log streamer's settings ({@code flow.logs.*}); every one overridable by environment variable. */
@ConfigMapping(prefix = "flow.logs")
public interface LogsConfig {

    /**
     * The platform's SSH private key (OpenSSH or PEM), the one whose public half the submitter adds to every bid.
     * Env {@code FLOW_PLATFORM_SSH_PRIVATE_KEY_PATH}. Read when the first session opens; never logged.
     */
    Optional<String> sshPrivateKeyPath();

    /** The login user on Mithril instances. */
    @WithDefault("ubuntu")
    String sshUser();

    /** Connect plus authentication timeout of one SSH session. */
    @WithDefault("10s")
    Duration sshConnectTimeout();

    /** Idle SSH sessions get a keep-alive this often, so dead peers are noticed and reconnected. */
    @WithDefault("15s")
    Duration sshHeartbeat();

    /** First wait before reconnecting a dropped session (doubles up to {@link #reconnectMaxDelay()}). */
    @WithDefault("500ms")
    Duration reconnectDelay();

    @WithDefault("15s")
    Duration reconnectMaxDelay();

    /** How many log lines may be sent to Kafka and not yet acknowledged, per node, before reading SSH pauses. */
    @WithDefault("512")
    int maxInFlight();

    /**
     * The longest log line kept, in bytes of UTF-8 (the read from SSH never holds more of one line). A longer line is
     * truncated at a character boundary and ends with {@code [flow: line truncated, N bytes dropped]}.
     */
    @WithDefault("16384")
    int maxLineBytes();

    RateLimit rateLimit();

    Live live();

    /** The live consumption of {@code flow.task.logs} that feeds following viewers ({@code LiveLogHub}). */
    interface Live {
        /**
         * Readiness goes DOWN when the consumer loop has not polled for this long (stuck: it polls every 500 ms,
         * or retries every 30 s at most while the topic is missing).
         */
        @WithDefault("60s")
        Duration maxPollGap();

        /** How long after the consumer loop died it is started again (readiness is DOWN meanwhile). */
        @WithDefault("10s")
        Duration restartDelay();

        /** Test only: allows {@code LiveLogHub.closeConsumerForTest()}. */
        @WithDefault("false")
        boolean faultHooks();
    }

    /**
     * Per task (all its nodes and streams together). Lines over either rate are dropped; the next line that fits is
     * preceded by {@code [flow: N lines (B bytes) dropped: over the task's log rate limit]}. A burst up to one
     * second's worth passes.
     */
    interface RateLimit {
        @WithDefault("10000")
        int linesPerSecond();

        /** 4 MiB/s. */
        @WithDefault("4194304")
        long bytesPerSecond();
    }

    Viewer viewer();

    interface Viewer {
        /** Lines sent when the viewer gives no {@code tail}. */
        @WithDefault("100")
        int defaultTail();

        /** The largest {@code tail} a viewer may ask for. */
        @WithDefault("10000")
        int maxTail();

        /**
         * A tail also stops at this many bytes of line text (16 MiB): it sends the newest lines that fit, so a tail of
         * long lines holds fewer than {@code tail} lines.
         */
        @WithDefault("16777216")
        long tailBytes();

        /** One Kafka poll of a following viewer. */
        @WithDefault("500ms")
        Duration pollTimeout();

        /** Longest time to read a tail or a range from Kafka before giving up. */
        @WithDefault("20s")
        Duration readTimeout();

        /**
         * Live lines buffered per viewer (a following WebSocket or SSE stream) while it cannot take them. When a
         * viewer falls this far behind, its buffer is dropped, it gets a {@code gap} message, and it catches up
         * from Kafka at its own pace (so a slow viewer never holds more than this in memory, nor slows anyone).
         * The lines are shared by all viewers of a task (the buffer holds references, grown only as needed), so
         * this is cheap: 40,000 lets 100 viewers that take lines at half the rate they arrive ride out a
         * 20,000-line burst on the shared live feed; below that, each of them overflowed into its own catch-up
         * from Kafka (its own consumer, its own decoding), which cost the service 3× the CPU (bench/results-logs.md).
         */
        @WithDefault("40000")
        int bufferLines();

        /**
         * Besides {@link #bufferLines()}: the bytes of line text buffered per viewer (16 MiB). Exceeding either
         * drops the buffer with a {@code gap} message, as above.
         */
        @WithDefault("16777216")
        long bufferBytes();

        /** Offsets read from Kafka per step when a viewer catches up (bounds the memory of a catch-up). */
        @WithDefault("500")
        int catchUpChunk();
    }
}
