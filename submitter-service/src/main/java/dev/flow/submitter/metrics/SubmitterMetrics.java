package dev.flow.submitter.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.flow.submitter.repository.OutboxRepository;
import dev.flow.submitter.service.ExecSessions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The submitter's gauges (docs/metrics.md): the outbox backlog (rows not yet on Kafka, and the age of the oldest, which
 * grows while the relay is stuck) and the exec sessions running now. The backlog is read from the database every
 * {@code flow.submitter.metrics.outbox-every} (one indexed query pair), not per scrape, so a scrape never waits on it;
 * the age is computed at scrape time from the oldest row's creation time.
 */
@Startup
@ApplicationScoped
public class SubmitterMetrics {

    private static final Logger LOG = Logger.getLogger(SubmitterMetrics.class);

    private final OutboxRepository outbox;
    private final AtomicLong unsent = new AtomicLong();
    private final AtomicReference<Instant> oldestUnsent = new AtomicReference<>();

    public SubmitterMetrics(MeterRegistry registry, OutboxRepository outbox, ExecSessions exec) {
        this.outbox = outbox;
        Gauge.builder("flow.outbox.unsent.rows", unsent, AtomicLong::get)
                .description("Outbox rows not yet published to Kafka").register(registry);
        Gauge.builder("flow.outbox.oldest.unsent.age", oldestUnsent, SubmitterMetrics::ageSeconds)
                .baseUnit("seconds").description("Age of the oldest outbox row not yet published (0: none)")
                .register(registry);
        Gauge.builder("flow.exec.sessions.active", exec, ExecSessions::open)
                .description("Exec commands running now over SSH (run and stream)").register(registry);
    }

    @Scheduled(every = "${flow.submitter.metrics.outbox-every:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshOutbox() {
        return Panache.withSession(() -> outbox.count("sentAt is null and deadAt is null")
                        .chain(count -> outbox.oldestUnsent().invoke(oldest -> {
                            unsent.set(count);
                            oldestUnsent.set(oldest);
                        })))
                .onFailure().recoverWithItem(failure -> {
                    // the last values stay; the next refresh tries again
                    LOG.debugf("outbox metrics refresh failed: %s", failure.toString());
                    return null;
                })
                .replaceWithVoid();
    }

    private static double ageSeconds(AtomicReference<Instant> oldest) {
        Instant at = oldest.get();
        return at == null ? 0 : Math.max(0, Duration.between(at, Instant.now()).toMillis() / 1000.0);
    }
}
