package dev.flow.submitter.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/** The submitter's own settings ({@code flow.submitter.*}); Mithril's are {@code mithril.*} (service-support). */
@ConfigMapping(prefix = "flow.submitter")
public interface SubmitterConfig {

    /**
     * The platform's SSH key fid (env {@code FLOW_PLATFORM_SSH_KEY_FID}), added to every bid so the log-streamer can
     * reach every node. SSH keys belong to one Mithril project: it is added when it belongs to the task's project.
     */
    Optional<String> platformSshKeyFid();

    /**
     * Limit price when a task gives no {@code max_price_per_hour}: this multiple of the current spot price of the
     * chosen type and region (per instance-hour).
     */
    @WithDefault("1.5")
    BigDecimal defaultPriceMultiple();

    /** The CloudEvents {@code source} of every event this service publishes. */
    @WithDefault("/flow/submitter-service")
    String eventSource();

    /** How long the project name→fid map from {@code GET /v2/projects} is reused. */
    @WithDefault("5m")
    Duration projectCacheTtl();

    /**
     * How long a project's copy of {@code GET /v2/quotas} serves the spot-quota check of a submit ({@code SpotQuotas});
     * the platform's own bids are counted in it meanwhile, and a copy showing too few instances is read again.
     */
    @WithDefault("5s")
    Duration quotaCacheTtl();

    /** How often an open status stream ({@code GET /v1/tasks/{id}/events}) sends a comment, so proxies keep it open. */
    @WithDefault("15s")
    Duration eventsHeartbeat();

    Outbox outbox();

    CancelSweep cancelSweep();

    Reconcile reconcile();

    MithrilHealth mithrilHealth();

    LeaseConfig lease();

    /**
     * The lease that lets one instance at a time run the outbox relay and the sweepers ({@code LeaseKeeper}): another
     * instance takes over at most {@code ttl + renew-interval} after the holder dies, or at its next renewal after
     * the holder released it on shutdown.
     */
    interface LeaseConfig {
        /** How long a hold lasts unless renewed. Keep several renew intervals long. */
        @WithDefault("15s")
        Duration ttl();

        /** How often the lease is renewed (or taken, by a standby) (read by the scheduler). */
        @WithDefault("5s")
        Duration renewInterval();

        /** This instance's name in the lease row; default: HOSTNAME (the pod), the process id and a random part. */
        Optional<String> holder();
    }

    /** How Mithril's health is observed (MithrilHealth): on a schedule, cached, never per probe. */
    interface MithrilHealth {
        /** How often Mithril is asked (read by the scheduler). */
        @WithDefault("10s")
        Duration interval();
    }

    FaultHooks faultHooks();

    /** Test-only fault injection ({@code FaultHooks}); only the {@code test} profile turns it on. */
    interface FaultHooks {
        @WithDefault("false")
        boolean enabled();
    }

    interface Reconcile {
        /** How often interrupted submissions are looked for (read by the scheduler). */
        @WithDefault("30s")
        Duration interval();

        /** Age after which a task still waiting for its bid's record counts as interrupted. */
        @WithDefault("5m")
        Duration grace();
    }

    StopResend stopResend();

    /**
     * A stop Mithril confirmed while the task's status events still say it is not over ({@code StopResender}): the
     * bid is read at Mithril and, still live, its cancel is sent again, with backoff, a bounded number of times.
     */
    interface StopResend {
        /** How often the stops Mithril confirmed are looked at (read by the scheduler). */
        @WithDefault("15s")
        Duration interval();

        /** How long after the confirmation a task that is still not over is looked at (two slow poll cycles). */
        @WithDefault("60s")
        Duration after();

        /** The wait between two looks doubles from {@link #after()} up to this. */
        @WithDefault("10m")
        Duration maxInterval();

        /** Re-sends per stop at most; after the last one an ERROR asks for an operator. */
        @WithDefault("5")
        int maxAttempts();
    }

    /**
     * The sweep of bid cancels Mithril has not confirmed ({@code BidCancellation}): each pass makes one attempt per
     * such cancel, so a stop asked while Mithril was away goes through within a pass of its return.
     */
    interface CancelSweep {
        /** How often unconfirmed bid cancellations are tried again (read by the scheduler). */
        @WithDefault("1s")
        Duration interval();

        /** A cancel is tried again when Mithril has not confirmed it this long after the request. */
        @WithDefault("2s")
        Duration grace();

        /** Unconfirmed cancels tried per pass, oldest first. */
        @WithDefault("100")
        int batch();
    }

    interface Outbox {
        /** How often the relay looks for unsent rows besides the pass after each commit (read by the scheduler). */
        @WithDefault("2s")
        Duration interval();

        /**
         * Rows published per relay pass, sent to the producer together (each is acked by the broker before it is
         * marked sent). Keep it within the emitter's buffer ({@code mp.messaging.emitter.default-buffer-size}, 128):
         * a send the buffer refuses fails the pass from that row on.
         */
        @WithDefault("100")
        int batchSize();

        /**
         * The largest event (key, value and headers, uncompressed) a request may cause, checked at the API (422 on
         * the field that is too big). Keep it below the producer's {@code max.request.size} (1 MiB by default) and
         * the lifecycle topic's {@code max.message.bytes}: a row Kafka refuses anyway is set aside (dead-lettered).
         */
        @WithDefault("900000")
        int maxEventBytes();
    }
}
