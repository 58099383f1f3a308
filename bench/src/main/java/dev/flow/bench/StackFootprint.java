package dev.flow.bench;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.flow.devstack.local.LocalStack;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The platform's footprint: how long the whole local stack takes to start (broker, database, emulator and the four
 * services, as {@code ./flow-local} starts them, with the JVM settings it gives them), and each service's resident
 * memory idle, at the peak of a load (a burst of N tasks through the whole stack, {@link TaskBurst}) and idle again
 * after it; shown against the goals (≤ 20 s to start; ≤ 200 MiB idle, ≤ 300 MiB under load).
 *
 * <pre>./mvnw -q install -DskipTests && ./mvnw -q -pl bench exec:java -Dexec.mainClass=dev.flow.bench.StackFootprint -Dexec.args="200 20"</pre>
 * (a third argument {@code cds}: with the local run's class data sharing archives; run it twice)
 */
public final class StackFootprint {

    private static final double IDLE_LIMIT_MIB = 200;
    private static final double LOAD_LIMIT_MIB = 300;
    private static final double START_LIMIT_S = 20;

    private StackFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        // "cds": each service keeps its class data sharing archive as ./flow-local does, in a state directory kept
        // between runs (the first run writes the archives, the next ones start with them)
        boolean archives = args.length > 2 && args[2].equals("cds");
        Path state = archives ? Files.createDirectories(Path.of("target", "footprint-cds")).toAbsolutePath()
                : Files.createTempDirectory("flow-footprint-");
        boolean archived = archives && Files.isDirectory(state.resolve("cds"))
                && Files.list(state.resolve("cds")).findAny().isPresent();
        LocalStack.Settings settings = LocalStack.Settings.forTests(state, Map.of("flow.poller.interval", "1s"),
                TaskBurst.emulatorSettings(tasks));
        long t0 = System.nanoTime();
        try (LocalStack stack = LocalStack.start(archives ? settings.withSharedArchives() : settings);
             KafkaCompanion companion = new KafkaCompanion(stack.kafkaBootstrapServers())) {
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Long> pids = new LinkedHashMap<>();
            LocalStack.SERVICES.forEach(service -> stack.service(service.name())
                    .ifPresent(app -> pids.put(service.name(), app.processHandle().pid())));

            Thread.sleep(idleSeconds * 1000L); // idle: started, nothing to do
            Map<String, Double> idle = rss(pids);
            Map<String, Integer> idleThreads = new LinkedHashMap<>();
            pids.forEach((name, pid) -> idleThreads.put(name, ProcessMemory.threads(pid)));
            nativeMemory(pids, state.resolve("nmt-idle"));

            Map<String, Double> peak = new ConcurrentHashMap<>(idle);
            Map<String, Integer> peakThreads = new ConcurrentHashMap<>(idleThreads);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    rss(pids).forEach((name, mib) -> peak.merge(name, mib, Math::max));
                    pids.forEach((name, pid) -> peakThreads.merge(name, ProcessMemory.threads(pid), Math::max));
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            long loadStart = System.nanoTime();
            boolean allEnded;
            try (TaskBurst burst = new TaskBurst(stack, companion, http)) {
                burst.submit(tasks);
                allEnded = burst.awaitEnd(Duration.ofMinutes(10));
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            sampler.interrupt();
            sampler.join();
            Thread.sleep(idleSeconds * 1000L); // idle again: what the load left behind
            Map<String, Double> after = rss(pids);

            System.out.printf("%n== StackFootprint: JDK %s, %d tasks of load ==%n", Runtime.version(), tasks);
            System.out.printf("stack started in %.1f s (limit %.0f s: %.2f of it); class data sharing archives: %s%n",
                    startSeconds, START_LIMIT_S, startSeconds / START_LIMIT_S,
                    !archives ? "none" : archived ? "used (written by an earlier run)" : "none yet (written at stop)");
            System.out.printf("load: %d tasks %s in %.1f s%n", tasks, allEnded ? "all ended" : "NOT all ended",
                    loadSeconds);
            System.out.printf("%-18s %10s %8s %10s %8s %12s %14s%n", "service", "idle MiB", "/200", "peak MiB", "/300",
                    "after MiB", "threads idle/max");
            pids.keySet().forEach(name -> System.out.printf("%-18s %10.0f %8.2f %10.0f %8.2f %12.0f %10d/%d%n", name,
                    idle.get(name), idle.get(name) / IDLE_LIMIT_MIB, peak.get(name),
                    peak.get(name) / LOAD_LIMIT_MIB, after.get(name), idleThreads.get(name), peakThreads.get(name)));
            System.out.println("JVM options: " + ProcessHandle.of(pids.values().iterator().next())
                    .flatMap(p -> p.info().arguments()).map(a -> String.join(" ", java.util.Arrays.stream(a)
                            .filter(arg -> arg.startsWith("-X")).toList())).orElse("?"));
        }
        System.out.println("every component's log: " + state.resolve("logs"));
        System.exit(0);
    }

    /** With {@code -XX:NativeMemoryTracking=summary} among the JVM options: each service's summary, into a file. */
    private static void nativeMemory(Map<String, Long> pids, Path directory) throws Exception {
        boolean tracked = ProcessHandle.of(pids.values().iterator().next()).flatMap(p -> p.info().arguments())
                .map(a -> java.util.Arrays.stream(a).anyMatch(arg -> arg.startsWith("-XX:NativeMemoryTracking")))
                .orElse(false);
        if (!tracked) {
            return;
        }
        Files.createDirectories(directory);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (var entry : pids.entrySet()) {
            new ProcessBuilder(jcmd.toString(), Long.toString(entry.getValue()), "VM.native_memory", "summary")
                    .redirectErrorStream(true).redirectOutput(directory.resolve(entry.getKey() + ".txt").toFile())
                    .start().waitFor();
        }
        System.out.println("native memory summaries: " + directory);
    }

    private static Map<String, Double> rss(Map<String, Long> pids) {
        Map<String, Double> rss = new LinkedHashMap<>();
        pids.forEach((name, pid) -> rss.put(name, ProcessMemory.rssMiB(pid)));
        return rss;
    }
}
