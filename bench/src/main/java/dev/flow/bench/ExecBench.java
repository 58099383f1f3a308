package dev.flow.bench;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.MithrilClientConfig;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.CreateSshKeyRequest;
import dev.flow.mithril.client.model.CreatedSshKey;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.mithril.client.model.Project;
import dev.flow.model.startup.WorkloadBlock;
import dev.flow.model.startup.WorkloadSpec;
import dev.flow.service.ssh.NodeShell;
import dev.flow.service.ssh.SshConnector;
import dev.flow.service.ssh.SshSettings;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The SSH path of the submitter's {@code exec} (service-support's {@code SshConnector}/{@code NodeShell}), against
 * one running instance of the emulator alone: each exec opens a session (connect + public-key auth), runs
 * {@code echo}, and closes it, as {@code ExecService} does. Prints sequential latencies and the rate with
 * concurrent callers, and the same command with a reused session, for the ratio that the per-call session costs.
 *
 * <pre>./mvnw -q -pl bench exec:java -Dexec.mainClass=dev.flow.bench.ExecBench -Dexec.args="200 8"</pre>
 */
public final class ExecBench {

    private ExecBench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Duration wait = Duration.ofSeconds(60);
        try (MithrilEmulator emulator = MithrilEmulator.startForTests(List.of("flow-dev"));
             MithrilClient mithril = MithrilClient.create(MithrilClientConfig.of(emulator.baseUrl(),
                     emulator.apiKey()))) {
            String project = mithril.projects().await().atMost(wait).stream()
                    .filter(p -> p.name().equals("flow-dev")).map(Project::fid).findFirst().orElseThrow();
            CreatedSshKey key = mithril.createSshKey(CreateSshKeyRequest.generate(project, "bench-platform"))
                    .await().atMost(wait);
            Path keyFile = Files.createTempFile("flow-bench-key", ".pem",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            keyFile.toFile().deleteOnExit();
            Files.writeString(keyFile, key.privateKey());
            Auction auction = mithril.spotAvailability().await().atMost(wait).stream()
                    .filter(a -> a.capacity() >= 1).findFirst().orElseThrow();
            WorkloadSpec spec = new WorkloadSpec("task-bench00000000000", "sleep 3600", "ubuntu:24.04", Map.of(),
                    "/workspace", List.of(), 1, List.of());
            Bid bid = mithril.createBid(new CreateBidRequest(project, auction.region(), auction.instanceType(),
                    auction.lastInstancePrice().times(3), 1, "flow-task-bench00000000000",
                    LaunchSpecification.of(List.of(key.fid()), List.of(),
                            "#!/bin/bash\n" + WorkloadBlock.encode(spec)))).await().atMost(wait);
            Instance node = waitRunning(mithril, project, bid.fid(), wait);
            String[] hostPort = node.sshDestination().split(":");
            String host = hostPort[0];
            int port = Integer.parseInt(hostPort[1]);

            try (SshConnector ssh = new SshConnector(new SshSettings(Optional.of(keyFile.toString()), "ubuntu",
                    Duration.ofSeconds(10), Duration.ofSeconds(15)))) {
                for (int i = 0; i < 10; i++) { // warm-up: class loading, JIT, the emulator's own first sessions
                    execOnce(ssh, host, port);
                }
                List<Long> sequential = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    long s = System.nanoTime();
                    execOnce(ssh, host, port);
                    sequential.add(System.nanoTime() - s);
                }
                double seqSeconds = (System.nanoTime() - t0) / 1e9;

                List<Long> concurrent = Collections.synchronizedList(new ArrayList<>());
                long t1 = System.nanoTime();
                try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
                    List<Future<?>> futures = new ArrayList<>();
                    for (int i = 0; i < calls; i++) {
                        futures.add(pool.submit(() -> {
                            long s = System.nanoTime();
                            execOnce(ssh, host, port);
                            concurrent.add(System.nanoTime() - s);
                            return null;
                        }));
                    }
                    for (Future<?> f : futures) {
                        f.get();
                    }
                }
                double concSeconds = (System.nanoTime() - t1) / 1e9;

                List<Long> reused = new ArrayList<>();
                long t2 = System.nanoTime();
                try (NodeShell shell = ssh.open(host, port)) {
                    for (int i = 0; i < calls; i++) {
                        long s = System.nanoTime();
                        shell.run("echo bench", new ByteArrayOutputStream(), new ByteArrayOutputStream(), wait);
                        reused.add(System.nanoTime() - s);
                    }
                }
                double reusedSeconds = (System.nanoTime() - t2) / 1e9;

                System.out.printf("%-34s %8s %8s %8s %10s%n", "mode", "p50 ms", "p95 ms", "max ms", "execs/s");
                row("new session per exec, 1 caller", sequential, calls / seqSeconds);
                row("new session per exec, " + concurrency + " callers", concurrent, calls / concSeconds);
                row("one reused session, 1 caller", reused, calls / reusedSeconds);
                System.out.printf("ratio (new session per exec / reused session, 1 caller): %.1fx slower%n",
                        (calls / reusedSeconds) / (calls / seqSeconds));
            }
            mithril.cancelBid(bid.fid()).await().atMost(wait);
        }
        System.exit(0);
    }

    private static Void execOnce(SshConnector ssh, String host, int port) throws Exception {
        try (NodeShell shell = ssh.open(host, port)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = shell.run("echo bench", out, new ByteArrayOutputStream(), Duration.ofSeconds(60));
            if (exit != 0 || !out.toString().equals("bench\n")) {
                throw new IllegalStateException("unexpected exec result " + exit + " " + out);
            }
        }
        return null;
    }

    private static Instance waitRunning(MithrilClient mithril, String project, String bidFid, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            List<Instance> instances = mithril.listInstances(InstanceQuery.inProject(project)
                    .withBidFidIn(List.of(bidFid))).collect().asList().await().atMost(wait);
            if (!instances.isEmpty() && instances.getFirst().status() == InstanceStatus.STATUS_RUNNING
                    && instances.getFirst().sshDestination() != null) {
                return instances.getFirst();
            }
            Thread.sleep(200); // polling the emulator's state, not synchronising a test
        }
        throw new IllegalStateException("the instance did not run within " + wait);
    }

    private static void row(String mode, List<Long> nanos, double rate) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("%-34s %8.1f %8.1f %8.1f %10.1f%n", mode, pct(sorted, 0.50), pct(sorted, 0.95),
                sorted.getLast() / 1e6, rate);
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }
}
