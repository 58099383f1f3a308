package dev.flow.service.messaging;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import dev.flow.mithril.client.MithrilApiException;

/**
 * Whether a consumer's failure came from the infrastructure (the database, the broker or Mithril unreachable,
 * restarting or overloaded), which passes and is worth retrying, or from the message itself, which no retry mends.
 * A consumer retries the first with backoff (the partition waits; nothing is skipped) and sets the second aside.
 */
public final class Failures {

    /** Connection-level failures of the Vert.x SQL client and Netty, by name: service-support does not depend on them. */
    private static final Set<String> TRANSIENT_TYPES = Set.of(
            "io.vertx.sqlclient.ClosedConnectionException",
            "io.vertx.core.VertxException",
            "io.vertx.core.impl.NoStackTraceThrowable",
            "io.netty.channel.ConnectTimeoutException",
            "io.netty.channel.AbstractChannel$AnnotatedConnectException",
            "org.hibernate.reactive.exception.ConnectionException");

    /** SQLSTATE classes of a database that is going away, starting, overloaded, or that asks for a retry. */
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "53", "57", "40", "HV");

    private Failures() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // Kafka's RetriableException: a broker away, a leader moving, not enough in-sync replicas
            if (t instanceof IOException || t instanceof TimeoutException
                    || t instanceof io.smallrye.mutiny.TimeoutException
                    || t instanceof org.apache.kafka.common.errors.RetriableException) {
                return true;
            }
            if (t instanceof MithrilApiException mithril) {
                return mithril.status() == 429 || mithril.status() >= 500;
            }
            if (TRANSIENT_TYPES.contains(t.getClass().getName())) {
                return true;
            }
            String sqlState = sqlState(t);
            if (sqlState != null && sqlState.length() >= 2 && TRANSIENT_SQL_CLASSES.contains(sqlState.substring(0, 2))) {
                return true;
            }
        }
        return false;
    }

    /** The SQLSTATE of a PostgreSQL error (the reactive client's PgException), by reflection; null otherwise. */
    private static String sqlState(Throwable t) {
        if (t instanceof java.sql.SQLException sql) {
            return sql.getSQLState();
        }
        if (!t.getClass().getName().equals("io.vertx.pgclient.PgException")) {
            return null;
        }
        try {
            return (String) t.getClass().getMethod("getSqlState").invoke(t);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
