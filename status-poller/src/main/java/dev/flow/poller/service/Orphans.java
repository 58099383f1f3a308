package dev.flow.poller.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.model.event.StopTask;
import dev.flow.model.status.TransitionReason;
import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.domain.TaskRegistry;
import dev.flow.poller.messaging.Ownership;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Bids named like the platform's ({@code flow-<task id>}, or a resubmission's {@code flow-<task id>-r<k>}) that no
 * task of the platform owns: a submit that crashed between creating the bid and publishing its TaskSubmitted, or a
 * bid created by hand. They cost money and nobody watches them.
 *
 * <p>Seen in the bid pages a cycle reads anyway (no extra call; a crashed submit's bid is recent, so it is on the
 * first page), reported at once (log, {@code flow_poller_orphan_bids}, readiness data), and after
 * {@code flow.poller.orphan-grace} still unknown, stopped through the submitter with one
 * {@code StopTask(taskId, ORPHAN)}. The grace covers a task whose bid is seen before its TaskSubmitted arrives. Only
 * the replica owning the task id's partition judges it, so each orphan is stopped once across replicas.
 */
@ApplicationScoped
public class Orphans {

    private static final Logger LOG = Logger.getLogger(Orphans.class);
    /** The task id rule of the platform (task- and 16 of [0-9a-z]), with the optional resubmission suffix. */
    private static final Pattern OURS = Pattern.compile("^flow-(task-[0-9a-z]{16})(?:-r\\d+)?$");

    /** One suspected orphan bid. */
    public record Orphan(String taskId, String bidFid, String bidName, String project, Instant firstSeen,
                         Instant lastSeen, boolean warned, boolean stopRequested) {
        Orphan seen(Instant when) {
            return new Orphan(taskId, bidFid, bidName, project, firstSeen, when, warned, stopRequested);
        }

        Orphan warnedNow() {
            return new Orphan(taskId, bidFid, bidName, project, firstSeen, lastSeen, true, stopRequested);
        }

        Orphan stopped() {
            return new Orphan(taskId, bidFid, bidName, project, firstSeen, lastSeen, warned, true);
        }
    }

    private final Map<String, Orphan> byTask = new LinkedHashMap<>();
    private final TaskRegistry registry;
    private final Ownership ownership;
    private final Duration grace;
    private final Counter stops;

    public Orphans(TaskRegistry registry, Ownership ownership, PollerConfig config, MeterRegistry meters) {
        this.registry = registry;
        this.ownership = ownership;
        this.grace = config.orphanGrace();
        this.stops = Counter.builder("flow.poller.orphan.stops").description("StopTask(ORPHAN) sent for orphan bids")
                .register(meters);
        meters.gauge("flow.poller.orphan.bids", this, Orphans::count);
    }

    /** The task id a bid name stands for, when it is named like one of ours. */
    public static Optional<String> taskIdOf(String bidName) {
        if (bidName == null) {
            return Optional.empty();
        }
        Matcher m = OURS.matcher(bidName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Looks at the bids a cycle read for a project: new suspects are reported, ended or claimed ones forgotten. */
    public synchronized void observe(String project, List<Bid> bids, Instant now) {
        for (Bid b : bids) {
            Optional<String> id = taskIdOf(b.name());
            if (id.isEmpty()) {
                continue;
            }
            String taskId = id.get();
            boolean live = b.status() != BidStatus.TERMINATED;
            if (!live || registry.knows(taskId) || !ownership.ownsTask(taskId)) {
                Orphan gone = byTask.get(taskId);
                if (gone != null && gone.bidFid().equals(b.fid())) {
                    byTask.remove(taskId);
                    if (live && gone.warned()) {
                        LOG.infof("bid %s (%s) belongs to task %s after all", b.name(), b.fid(), taskId);
                    }
                }
                continue;
            }
            Orphan known = byTask.get(taskId);
            if (known == null) {
                byTask.put(taskId, new Orphan(taskId, b.fid(), b.name(), project, now, now, false, false));
                LOG.debugf("bid %s (%s) has no known task yet", b.name(), b.fid());
            } else {
                byTask.put(taskId, known.seen(now));
            }
        }
        // the log waits a quarter of the grace: a burst of submissions lists many bids a moment before their
        // TaskSubmitted is read, and those are no news (the metric and the health data show every suspect at once)
        for (var e : byTask.entrySet()) {
            Orphan o = e.getValue();
            if (!o.warned() && !o.firstSeen().plus(grace.dividedBy(4)).isAfter(now)) {
                LOG.warnf("orphan bid %s (%s) in project %s: no task %s is known since %s; stopped after %s unless "
                        + "it shows up", o.bidName(), o.bidFid(), o.project(), o.taskId(), o.firstSeen(), grace);
                e.setValue(o.warnedNow());
            }
        }
        // a suspect no cycle has seen for long (its pages are no longer read) is dropped
        byTask.values().removeIf(o -> o.lastSeen().plus(grace.multipliedBy(10).plusMinutes(10)).isBefore(now));
    }

    /** Suspects past the grace period, still without a task and not stopped yet. */
    public synchronized List<Orphan> due(Instant now) {
        List<Orphan> out = new ArrayList<>();
        for (Orphan o : byTask.values()) {
            if (!o.stopRequested() && !o.firstSeen().plus(grace).isAfter(now) && !registry.knows(o.taskId())
                    && ownership.ownsTask(o.taskId())) {
                out.add(o);
            }
        }
        return out;
    }

    public synchronized void stopSent(Orphan o) {
        byTask.computeIfPresent(o.taskId(), (k, v) -> v.stopped());
        stops.increment();
        LOG.warnf("orphan bid %s (%s) in project %s: StopTask(ORPHAN) sent for task %s", o.bidName(), o.bidFid(),
                o.project(), o.taskId());
    }

    /** A StopTask(ORPHAN) read back from flow.task.commands (also one sent by a previous owner). */
    public synchronized void stopSeen(StopTask e) {
        if (TransitionReason.ORPHAN.equals(e.reason())) {
            byTask.computeIfPresent(e.taskId(), (k, v) -> v.stopped());
        }
    }

    public synchronized int count() {
        return byTask.size();
    }

    /** The suspects' bid names (for the health check: names only, nothing secret). */
    public synchronized List<String> bidNames() {
        return byTask.values().stream().map(Orphan::bidName).limit(20).toList();
    }
}
