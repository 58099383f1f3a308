package dev.flow.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.EmbeddedKafkaBroker;
import dev.flow.devstack.EmbeddedPostgresServer;
import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Status events per second into the cost ledger, against raw batched INSERTs into the same PostgreSQL in the same run.
 *
 * <ol>
 *   <li>An embedded broker and PostgreSQL; {@code N} TaskStatusChanged records (binary CloudEvents, as the poller
 *       sends them) put on {@code flow.task.status} first: N/2 tasks, each 2 nodes {@code running} then
 *       {@code completed}, so half the events open 2 intervals and half close 2.</li>
 *   <li>The packaged cost-accountant started as its own process on that broker and a fresh database; the clock runs
 *       from the first {@code consumed_event} row to the N-th (Flyway and the JVM start are not counted).</li>
 *   <li>Raw baseline in the same server: N rows of the same shape as {@code consumed_event} by JDBC batched INSERTs
 *       (1000 rows per batch and transaction).</li>
 * </ol>
 * The service runs with a deployment's JVM settings ({@link QuarkusAppProcess#DEPLOYED_JVM_OPTIONS}, full JIT, with a
 * 1 GB heap cap) unless
 * {@code -Dbench.local-jvm=true} (the local runner's C1-only, 384 MB); {@code -Dbench.jfr=file.jfr} records a
 * JFR profile of the service.
 * Usage: {@code LedgerIngestBench [events=20000]}. Needs {@code ./mvnw -pl cost-accountant install -DskipTests}.
 */
public final class LedgerIngestBench {

    private LedgerIngestBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int tasks = events / 2;
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
             EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
            produce(kafka.bootstrapServers(), tasks);
            String database = postgres.createDatabaseNamed("bench_ledger");
            Path publicKey = Files.createTempFile("bench-jwt-", ".pem");
            Files.writeString(publicKey, DevJwt.shared().publicKeyPem());
            double ledgerRate;
            QuarkusAppProcess.Builder service = QuarkusAppProcess.builder("cost-accountant",
                    QuarkusAppProcess.jarOf("cost-accountant"));
            if (!Boolean.getBoolean("bench.local-jvm")) {
                // as deployed (full tiered JIT, the deployed collector and sizing), with a 1 GB heap cap
                service.maxHeap("1g").jvmOptions(QuarkusAppProcess.DEPLOYED_JVM_OPTIONS.toArray(String[]::new));
            }
            String jfr = System.getProperty("bench.jfr");
            if (jfr != null) {
                List<String> options = new java.util.ArrayList<>(Boolean.getBoolean("bench.local-jvm")
                        ? List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                        : QuarkusAppProcess.DEPLOYED_JVM_OPTIONS);
                options.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
                service.jvmOptions(options.toArray(String[]::new));
            }
            System.out.printf("service JVM: %s%n", Boolean.getBoolean("bench.local-jvm")
                    ? "local runner (-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)"
                    : "deployed (-Xmx1g " + String.join(" ", QuarkusAppProcess.DEPLOYED_JVM_OPTIONS) + ", full JIT)");
            try (QuarkusAppProcess app = service
                    .env("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())
                    .env("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(database))
                    .env("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(database))
                    .env("QUARKUS_DATASOURCE_USERNAME", postgres.username())
                    .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toString())
                    .env("MP_JWT_VERIFY_ISSUER", DevJwt.ISSUER)
                    .property("flow.cost.reconcile-every", "off")
                    .property("flow.cost.updates-every", "off")
                    .property("flow.cost.budget-check-every", "off")
                    .start();
                 Connection db = DriverManager.getConnection(postgres.jdbcUrl(database), postgres.username(),
                         postgres.password())) {
                ledgerRate = awaitLedger(db, events);
                long intervals = count(db, "select count(*) from cost.cost_interval where ended_at is not null");
                System.out.printf("ledger check: %d closed intervals (expected %d)%n", intervals, 2L * tasks);
            }
            double rawRate;
            try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(database), postgres.username(),
                    postgres.password())) {
                rawRate = rawInserts(db, events);
            }
            System.out.printf("%n| events | ledger (service, Kafka → PostgreSQL) | raw batched INSERTs | ratio |%n");
            System.out.printf("|---|---|---|---|%n");
            System.out.printf("| %d | %.0f events/s | %.0f rows/s | %.3f× |%n", events, ledgerRate, rawRate,
                    ledgerRate / rawRate);
        }
    }

    private static void produce(String bootstrap, int tasks) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        Instant t0 = Instant.parse("2026-01-05T00:00:00Z");
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < tasks; i++) {
                String task = "task-" + String.format("%016d", i);
                List<InstanceInfo> nodes = List.of(new InstanceInfo("inst_" + i + "_0", 0, "STATUS_RUNNING", "10.0.0.1", 22),
                        new InstanceInfo("inst_" + i + "_1", 1, "STATUS_RUNNING", "10.0.0.2", 22));
                Instant at = t0.plusSeconds(i);
                Money price = Money.parse("$12.34");
                producer.send(CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, new TaskStatusChanged(task,
                        "flow-bench", TaskStatus.PENDING, TaskStatus.RUNNING, TransitionReason.ALLOCATED, at, at, nodes,
                        price, 2, "bid_" + i, "us-central1-a", "a100-80gb.sxm.1x", 0, null), "/flow/bench",
                        UUID.randomUUID().toString()));
                Instant end = at.plus(Duration.ofMinutes(90));
                producer.send(CloudEventRecords.toProducerRecord(Topics.TASK_STATUS, new TaskStatusChanged(task,
                        "flow-bench", TaskStatus.RUNNING, TaskStatus.COMPLETED, TransitionReason.workloadExit(0), end,
                        end, nodes, price, 2, "bid_" + i, "us-central1-a", "a100-80gb.sxm.1x", 0, null),
                        "/flow/bench", UUID.randomUUID().toString()));
            }
            producer.flush();
        }
        System.out.printf("produced %d events in %.1f s%n", 2 * tasks, (System.nanoTime() - start) / 1e9);
    }

    /** Events per second from the first consumed_event row to the last. */
    private static double awaitLedger(Connection db, int events) throws Exception {
        long first = 0;
        long firstCount = 0;
        while (true) {
            long n = tableCount(db);
            long now = System.nanoTime();
            if (n > 0 && first == 0) {
                first = now;
                firstCount = n;
            }
            if (n >= events) {
                double seconds = (now - first) / 1e9;
                double rate = (n - firstCount) / seconds;
                System.out.printf("ledger: %d events applied in %.2f s after the first: %.0f events/s%n",
                        n - firstCount, seconds, rate);
                return rate;
            }
            Thread.sleep(50); // polling a counter for the benchmark's clock, not synchronising a test
        }
    }

    private static long tableCount(Connection db) throws SQLException {
        try {
            return count(db, "select count(*) from cost.consumed_event");
        } catch (SQLException e) {
            return 0; // Flyway has not created the table yet
        }
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows per second of JDBC batched INSERTs (1000 per batch, one transaction each) into a consumed_event twin. */
    private static double rawInserts(Connection db, int rows) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("create table public.raw_event (event_id text primary key, topic text not null, "
                    + "kafka_partition integer not null, kafka_offset bigint not null, task_id text, project text, "
                    + "event_type text, consumed_at timestamptz not null default now())");
        }
        db.setAutoCommit(false);
        long start = System.nanoTime();
        try (PreparedStatement insert = db.prepareStatement("insert into public.raw_event (event_id, topic, "
                + "kafka_partition, kafka_offset, task_id, project, event_type, consumed_at) values (?,?,?,?,?,?,?,?)")) {
            for (int i = 0; i < rows; i++) {
                insert.setString(1, UUID.randomUUID().toString());
                insert.setString(2, Topics.TASK_STATUS);
                insert.setInt(3, 0);
                insert.setLong(4, i);
                insert.setString(5, "task-" + String.format("%016d", i / 2));
                insert.setString(6, "flow-bench");
                insert.setString(7, "dev.flow.task.status.changed.v1");
                insert.setTimestamp(8, Timestamp.from(Instant.now()));
                insert.addBatch();
                if ((i + 1) % 1000 == 0 || i == rows - 1) {
                    insert.executeBatch();
                    db.commit();
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = rows / seconds;
        System.out.printf("raw: %d rows in %.2f s: %.0f rows/s%n", rows, seconds, rate);
        return rate;
    }
}
