package dev.flow.submitter.repository;

import dev.flow.submitter.domain.OutboxEntity;
import dev.flow.submitter.domain.TaskEntity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The write of a submission whose bid exists: the new task row and its outbox rows in <b>one SQL statement</b> (a
 * data-modifying {@code WITH}), so one round trip to PostgreSQL and one implicit transaction: both or neither. The
 * submit path is the platform's hottest write, and each extra round trip of the ORM's unit of work (begin, a sequence
 * value per outbox row, an insert per row, commit) waited for a busy database; everything else uses Panache.
 * The outbox ids are drawn from {@code outbox_id_seq} in the order of {@code events}, so the relay publishes them in
 * that order.
 */
@ApplicationScoped
public class SubmissionRows {

    private static final String TASK_COLUMNS = "id, project, project_fid, name, created_by, status, reason, message, "
            + "config, instance_type, instance_type_name, instance_type_fid, region, num_instances, limit_price, "
            + "price_per_hour, bid_name, bid_fid, instances, created_at, updated_at, idempotency_key, request_sha256";
    private static final int TASK_PARAMS = 23;
    private static final String OUTBOX_COLUMNS = "id, aggregate_id, topic, event_type, payload, event_time, "
            + "created_at, traceparent";
    private static final int OUTBOX_PARAMS = 7;

    private final Pool pool;

    public SubmissionRows(Pool pool) {
        this.pool = pool;
    }

    /** Inserts {@code task} and {@code rows} (their ids drawn from the sequence). */
    public Uni<Void> insert(TaskEntity task, List<OutboxEntity> rows) {
        List<Object> params = new ArrayList<>(TASK_PARAMS + OUTBOX_PARAMS * rows.size());
        params.addAll(java.util.Arrays.asList(task.id, task.project, task.projectFid, task.name, task.createdBy,
                task.status, task.reason, task.message, task.configJson, task.instanceType, task.instanceTypeName,
                task.instanceTypeFid, task.region, task.numInstances, task.limitPrice, task.pricePerHour,
                task.bidName, task.bidFid, task.instancesJson, at(task.createdAt), at(task.updatedAt),
                task.idempotencyKey, task.requestSha256));
        StringBuilder sql = new StringBuilder("WITH task AS (INSERT INTO submitter.task (").append(TASK_COLUMNS)
                .append(") VALUES (").append(placeholders(1, TASK_PARAMS)).append(")) INSERT INTO submitter.outbox (")
                .append(OUTBOX_COLUMNS).append(") VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            OutboxEntity row = rows.get(i);
            params.addAll(java.util.Arrays.asList(row.aggregateId, row.topic, row.eventType, row.payload,
                    at(row.eventTime), at(row.createdAt), row.traceparent));
            // VALUES rows are evaluated in order: the ids follow the events' order
            sql.append(i == 0 ? "" : ", ").append("(nextval('submitter.outbox_id_seq'), ")
                    .append(placeholders(TASK_PARAMS + 1 + i * OUTBOX_PARAMS, OUTBOX_PARAMS)).append(')');
        }
        return pool.preparedQuery(sql.toString()).execute(Tuple.wrap(params)).replaceWithVoid();
    }

    private static String placeholders(int first, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "$" : ", $").append(first + i);
        }
        return out.toString();
    }

    private static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
