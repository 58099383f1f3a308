package dev.flow.cost.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.flow.cost.domain.ConsumedEvent;
import dev.flow.cost.domain.CostInterval;
import dev.flow.cost.domain.LedgerPlanner;
import dev.flow.cost.domain.LedgerPlanner.Billable;
import dev.flow.cost.domain.LedgerPlanner.Plan;
import dev.flow.model.event.TaskStatusChanged;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Applies status events to the ledger, each exactly once in effect: the events' {@link ConsumedEvent} rows and the
 * interval rows they open or close are written in one transaction, and an event whose row exists changes nothing.
 *
 * <p>This is the ingest hot path, so it uses the reactive PostgreSQL client with plain SQL rather than Hibernate
 * entities (whose per-entity bookkeeping was most of the cost per event): a batch (what one Kafka poll returned) is
 * one transaction of a fixed number of round trips, whatever its size — one query for its event ids, one for its
 * tasks' intervals, then the events planned in order in memory ({@link LedgerPlanner}, unchanged) and the batch's
 * <em>final</em> state written with one statement per kind of change, each taking arrays ({@code unnest}): delete the
 * replaced intervals, close the ended ones, insert the new ones (already closed if they ended within the batch), insert
 * the consumed-event rows. Writing the final state in that order never meets the one-open-interval-per-node index or
 * the interval key half-way, since the planner's final state satisfies both.
 */
@ApplicationScoped
public class LedgerService {

    private static final Logger LOG = Logger.getLogger(LedgerService.class);

    /** What {@link #apply} did. */
    public enum Outcome { APPLIED, UNCHANGED, STALE, DUPLICATE }

    /** One event to apply and where it came from. */
    public record Item(EventRef ref, TaskStatusChanged event) {
    }

    private static final String SEEN = "select event_id from cost.consumed_event where event_id = any($1)";
    private static final String INTERVALS = "select id, task_id, project, instance_fid, node, instance_type, "
            + "price_per_hour, started_at, ended_at, opened_by, closed_by from cost.cost_interval "
            + "where task_id = any($1) order by started_at, node, id";
    private static final String DELETE_INTERVALS = "delete from cost.cost_interval where id = any($1)";
    private static final String CLOSE_INTERVALS = "update cost.cost_interval c set ended_at = u.ended_at, "
            + "closed_by = u.closed_by from unnest($1::bigint[], $2::timestamptz[], $3::text[]) "
            + "as u(id, ended_at, closed_by) where c.id = u.id";
    // price as text: numeric at full precision, whatever the BigDecimal's scale
    private static final String INSERT_INTERVALS = "insert into cost.cost_interval (task_id, project, instance_fid, "
            + "node, instance_type, price_per_hour, started_at, ended_at, opened_by, closed_by) "
            + "select t, p, f, n, it, pr::numeric, s, e, o, c from unnest($1::text[], $2::text[], $3::text[], "
            + "$4::int[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[]) "
            + "with ordinality as u(t, p, f, n, it, pr, s, e, o, c, ord) order by ord";
    private static final String INSERT_CONSUMED = "insert into cost.consumed_event (event_id, topic, kafka_partition, "
            + "kafka_offset, task_id, project, event_type, consumed_at) select * from unnest($1::text[], $2::text[], "
            + "$3::int[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])";
    // an instance billed again (resumed) is no longer reconciled: Mithril's history of it is not final
    private static final String FORGET_SEGMENTS = "delete from cost.mithril_price_segment where instance_fid = any($1)";
    private static final String FORGET_RECONCILIATIONS =
            "delete from cost.instance_reconciliation where instance_fid = any($1)";

    private final Pool pool;

    public LedgerService(Pool pool) {
        this.pool = pool;
    }

    public Uni<Outcome> apply(EventRef ref, TaskStatusChanged event) {
        return applyAll(List.of(new Item(ref, event))).map(List::getFirst);
    }

    /** Applies the events in order, in one transaction; one outcome per item. */
    public Uni<List<Outcome>> applyAll(List<Item> items) {
        String[] ids = items.stream().map(i -> i.ref().eventId()).distinct().toArray(String[]::new);
        String[] tasks = items.stream().map(i -> i.event().taskId()).distinct().toArray(String[]::new);
        return pool.withTransaction(connection -> connection.preparedQuery(SEEN).execute(Tuple.of(ids))
                .flatMap(seen -> connection.preparedQuery(INTERVALS).execute(Tuple.of(tasks))
                        .flatMap(rows -> {
                            Set<String> seenIds = new HashSet<>();
                            seen.forEach(row -> seenIds.add(row.getString(0)));
                            List<CostInterval> existing = new ArrayList<>();
                            rows.forEach(row -> existing.add(interval(row)));
                            Batch batch = new Batch(seenIds, existing);
                            List<Outcome> outcomes = batch.plan(items);
                            return batch.write(connection).replaceWith(outcomes);
                        })));
    }

    /** The state of one batch while its events are planned in order, and its final state written. */
    private static final class Batch {
        private final Set<String> seen;
        private final Map<String, List<CostInterval>> byTask = new HashMap<>();
        private final List<ConsumedEvent> consumedRows = new ArrayList<>();
        private final Set<String> rebilled = new LinkedHashSet<>();
        /** Intervals read from the database (they have an id) that the batch closed, or deleted. */
        private final Set<CostInterval> closedExisting = new LinkedHashSet<>();
        private final List<Long> deletedExisting = new ArrayList<>();
        /** Intervals the batch opened, in order, with their final end (null while open). */
        private final List<CostInterval> created = new ArrayList<>();

        Batch(Set<String> seen, List<CostInterval> rows) {
            this.seen = seen;
            for (CostInterval row : rows) {
                byTask.computeIfAbsent(row.taskId, t -> new ArrayList<>()).add(row);
            }
        }

        List<Outcome> plan(List<Item> items) {
            List<Outcome> outcomes = new ArrayList<>(items.size());
            for (Item item : items) {
                outcomes.add(one(item));
            }
            return outcomes;
        }

        private Outcome one(Item item) {
            EventRef ref = item.ref();
            TaskStatusChanged event = item.event();
            if (!seen.add(ref.eventId())) {
                LOG.debugf("event %s (%s@%d) already applied; skipped", ref.eventId(), ref.topic(), ref.offset());
                return Outcome.DUPLICATE;
            }
            consumedRows.add(consumedRow(ref, event));
            List<CostInterval> taskRows = byTask.computeIfAbsent(event.taskId(), t -> new ArrayList<>());
            Plan plan = LedgerPlanner.plan(taskRows, event);
            if (plan.stale()) {
                LOG.infof("task %s: event %s at %s is older than the ledger's last change; ignored", event.taskId(),
                        ref.eventId(), plan.at());
                return Outcome.STALE;
            }
            if (plan.isEmpty()) {
                return Outcome.UNCHANGED;
            }
            // an interval that would close the instant it opened (two events at the same time) is replaced, not kept
            // as a zero-length row: its successor may have the same key (task, node, instance, start)
            List<CostInterval> replaced = plan.close().stream().filter(i -> i.startedAt.equals(plan.at())).toList();
            for (CostInterval interval : plan.close()) {
                interval.endedAt = plan.at();
                interval.closedBy = ref.eventId();
                if (interval.id != null) {
                    closedExisting.add(interval);
                }
            }
            List<CostInterval> opened = plan.open().stream().map(b -> opened(b, plan.at(), ref, event)).toList();
            for (CostInterval interval : opened) {
                if (taskRows.stream().anyMatch(i -> i.instanceFid.equals(interval.instanceFid))) {
                    rebilled.add(interval.instanceFid);
                }
            }
            if (LOG.isDebugEnabled()) {
                LOG.debugf("task %s %s at %s: closed %d, opened %d interval(s)", event.taskId(), event.to(),
                        plan.at(), plan.close().size(), opened.size());
            }
            for (CostInterval interval : replaced) {
                taskRows.remove(interval);
                if (interval.id != null) {
                    closedExisting.remove(interval);
                    deletedExisting.add(interval.id);
                } else {
                    created.remove(interval);
                }
            }
            taskRows.addAll(opened);
            created.addAll(opened);
            return Outcome.APPLIED;
        }

        /** The batch's final state, in an order that never breaks a unique index half-way (see the class comment). */
        Uni<Void> write(SqlConnection connection) {
            Uni<Void> chain = Uni.createFrom().voidItem();
            if (!rebilled.isEmpty()) {
                String[] fids = rebilled.toArray(String[]::new);
                chain = chain.flatMap(v -> connection.preparedQuery(FORGET_SEGMENTS).execute(Tuple.of(fids)))
                        .flatMap(v -> connection.preparedQuery(FORGET_RECONCILIATIONS).execute(Tuple.of(fids)))
                        .replaceWithVoid();
            }
            if (!deletedExisting.isEmpty()) {
                Long[] ids = deletedExisting.toArray(Long[]::new);
                chain = chain.flatMap(v -> connection.preparedQuery(DELETE_INTERVALS).execute(Tuple.of(ids)))
                        .replaceWithVoid();
            }
            if (!closedExisting.isEmpty()) {
                int n = closedExisting.size();
                Long[] ids = new Long[n];
                OffsetDateTime[] ends = new OffsetDateTime[n];
                String[] by = new String[n];
                int k = 0;
                for (CostInterval interval : closedExisting) {
                    ids[k] = interval.id;
                    ends[k] = utc(interval.endedAt);
                    by[k++] = interval.closedBy;
                }
                chain = chain.flatMap(v -> connection.preparedQuery(CLOSE_INTERVALS)
                        .execute(Tuple.of(ids, ends, by))).replaceWithVoid();
            }
            if (!created.isEmpty()) {
                int n = created.size();
                String[] task = new String[n];
                String[] project = new String[n];
                String[] fid = new String[n];
                Integer[] node = new Integer[n];
                String[] type = new String[n];
                String[] price = new String[n];
                OffsetDateTime[] start = new OffsetDateTime[n];
                OffsetDateTime[] end = new OffsetDateTime[n];
                String[] openedBy = new String[n];
                String[] closedBy = new String[n];
                for (int k = 0; k < n; k++) {
                    CostInterval i = created.get(k);
                    task[k] = i.taskId;
                    project[k] = i.project;
                    fid[k] = i.instanceFid;
                    node[k] = i.node;
                    type[k] = i.instanceType;
                    price[k] = i.pricePerHour.toPlainString();
                    start[k] = utc(i.startedAt);
                    end[k] = utc(i.endedAt);
                    openedBy[k] = i.openedBy;
                    closedBy[k] = i.closedBy;
                }
                Tuple args = Tuple.tuple(List.<Object>of(task, project, fid, node, type, price, start, end, openedBy,
                        closedBy));
                chain = chain.flatMap(v -> connection.preparedQuery(INSERT_INTERVALS).execute(args))
                        .replaceWithVoid();
            }
            if (!consumedRows.isEmpty()) {
                int n = consumedRows.size();
                String[] id = new String[n];
                String[] topic = new String[n];
                Integer[] partition = new Integer[n];
                Long[] offset = new Long[n];
                String[] task = new String[n];
                String[] project = new String[n];
                String[] type = new String[n];
                OffsetDateTime[] at = new OffsetDateTime[n];
                for (int k = 0; k < n; k++) {
                    ConsumedEvent e = consumedRows.get(k);
                    id[k] = e.eventId;
                    topic[k] = e.topic;
                    partition[k] = e.partition;
                    offset[k] = e.offset;
                    task[k] = e.taskId;
                    project[k] = e.project;
                    type[k] = e.eventType;
                    at[k] = utc(e.consumedAt);
                }
                Tuple args = Tuple.tuple(List.<Object>of(id, topic, partition, offset, task, project, type, at));
                chain = chain.flatMap(v -> connection.preparedQuery(INSERT_CONSUMED).execute(args))
                        .replaceWithVoid();
            }
            return chain;
        }
    }

    private static CostInterval interval(Row row) {
        CostInterval interval = new CostInterval();
        interval.id = row.getLong("id");
        interval.taskId = row.getString("task_id");
        interval.project = row.getString("project");
        interval.instanceFid = row.getString("instance_fid");
        interval.node = row.getInteger("node");
        interval.instanceType = row.getString("instance_type");
        interval.pricePerHour = row.getBigDecimal("price_per_hour");
        interval.startedAt = row.getOffsetDateTime("started_at").toInstant();
        OffsetDateTime end = row.getOffsetDateTime("ended_at");
        interval.endedAt = end == null ? null : end.toInstant();
        interval.openedBy = row.getString("opened_by");
        interval.closedBy = row.getString("closed_by");
        return interval;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static CostInterval opened(Billable billable, Instant at, EventRef ref, TaskStatusChanged event) {
        CostInterval interval = new CostInterval();
        interval.taskId = event.taskId();
        interval.project = event.project();
        interval.instanceFid = billable.instanceFid();
        interval.node = billable.node();
        interval.instanceType = event.instanceType();
        interval.pricePerHour = billable.pricePerHour();
        interval.startedAt = at;
        interval.openedBy = ref.eventId();
        return interval;
    }

    private static ConsumedEvent consumedRow(EventRef ref, TaskStatusChanged event) {
        ConsumedEvent row = new ConsumedEvent();
        row.eventId = ref.eventId();
        row.topic = ref.topic();
        row.partition = ref.partition();
        row.offset = ref.offset();
        row.taskId = event.taskId();
        row.project = event.project();
        row.eventType = ref.type();
        row.consumedAt = Instant.now();
        return row;
    }
}
