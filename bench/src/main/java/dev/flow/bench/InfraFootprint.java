package dev.flow.bench;

import dev.flow.devstack.EmbeddedKafkaBroker;
import dev.flow.devstack.EmbeddedPostgresServer;

/**
 * Measures the no-Docker infrastructure: time to a ready broker and a ready database, and their resident memory
 * (the broker JVM; the PostgreSQL postmaster with all its backends), idle right after start.
 *
 * <pre>./mvnw -q -pl bench -am install -DskipTests && ./mvnw -q -pl bench exec:java -Dexec.mainClass=dev.flow.bench.InfraFootprint</pre>
 */
public final class InfraFootprint {

    private InfraFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        System.out.printf("%-6s %14s %14s %16s %16s%n", "round", "kafka ready ms", "pg ready ms", "kafka RSS MiB",
                "pg RSS MiB");
        for (int round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
                long kafkaMs = (System.nanoTime() - t0) / 1_000_000;
                long t1 = System.nanoTime();
                try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
                    long pgMs = (System.nanoTime() - t1) / 1_000_000;
                    Thread.sleep(2000); // let both settle after start before reading memory
                    System.out.printf("%-6d %14d %14d %16.0f %16.0f%n", round, kafkaMs, pgMs,
                            ProcessMemory.rssMiB(kafka.processHandle().pid()),
                            ProcessMemory.rssMiB(ProcessMemory.treeOf(postgres.serverPid())));
                }
            }
        }
        System.exit(0);
    }
}
