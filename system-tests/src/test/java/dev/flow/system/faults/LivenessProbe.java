package dev.flow.system.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.flow.devstack.QuarkusAppProcess;
import dev.flow.devstack.local.LocalStack;

/**
 * What the orchestrator's liveness probe does in a deployment ({@code k8s/*.yaml}: {@code /q/health/live}, 3
 * failures in a row restart the container), faster: every 2 s, and a service that answered DOWN three times in a
 * row is killed and started again. A service that does not answer at all is being started (or restarted by the
 * suite) and is left alone. Each restart it makes is recorded as a fault window, so the report shows what a fault
 * cost beyond itself.
 */
final class LivenessProbe implements AutoCloseable {

    private static final int FAILURE_THRESHOLD = 3;

    private final LocalStack stack;
    private final FaultLog faults;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Map<String, Integer> downInARow = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    LivenessProbe(LocalStack stack, FaultLog faults) {
        this.stack = stack;
        this.faults = faults;
        timer.scheduleWithFixedDelay(this::probeAll, 2, 2, TimeUnit.SECONDS);
    }

    private void probeAll() {
        for (LocalStack.Service service : LocalStack.SERVICES) {
            stack.service(service.name()).ifPresent(app -> probe(service.name(), app));
        }
    }

    private void probe(String name, QuarkusAppProcess app) {
        int status;
        try {
            status = http.send(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/q/health/live"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception notAnswering) {
            downInARow.remove(name); // starting, or being restarted by the suite: not this probe's business
            return;
        }
        if (status != 503 || !app.isAlive()) {
            downInARow.remove(name);
            return;
        }
        if (downInARow.merge(name, 1, Integer::sum) >= FAILURE_THRESHOLD) {
            downInARow.remove(name);
            Instant start = Instant.now();
            stack.killAndRestartService(name);
            faults.add(name + " restarted by its liveness probe", start, Instant.now(), Duration.ZERO,
                    "liveness DOWN " + FAILURE_THRESHOLD + " times in a row");
        }
    }

    /** The restarts this probe made, by service. */
    List<FaultLog.Window> restarts() {
        return faults.windows().stream().filter(w -> w.fault().endsWith("restarted by its liveness probe")).toList();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
