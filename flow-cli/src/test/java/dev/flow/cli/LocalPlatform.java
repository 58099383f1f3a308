package dev.flow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.flow.client.Flow;
import dev.flow.client.FlowConfig;
import dev.flow.devstack.local.LocalStack;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole platform (broker, database, emulator, four services in their own JVMs), started once per test JVM by
 * dev-stack's LocalStack as {@code ./flow-local} does, and stopped when the JVM's tests are done. Test classes
 * share it (each uses its own task names), which keeps the module's test time to one start.
 */
public final class LocalPlatform implements BeforeAllCallback {

    /** Faster than production so a task's life takes seconds; the behaviour is the same (as system-tests). */
    private static final Map<String, String> FAST = Map.of(
            "flow.poller.interval", "300ms",
            "flow.poller.unexplained-termination-grace", "3s");

    private static LocalStack stack;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (LocalPlatform.class) {
            if (stack == null) {
                Path state;
                try {
                    state = Files.createTempDirectory("flow-cli-it-");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                stack = LocalStack.start(LocalStack.Settings.forTests(state, FAST, Map.of()));
                // closed after the last test class of the JVM
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                        .put("flow-local-stack", (ExtensionContext.Store.CloseableResource) () -> {
                            stack.close();
                            deleteTree(state); // broker data, logs, keys: nothing outlives the test JVM
                        });
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static LocalStack stack() {
        return stack;
    }

    public static String url(String service) {
        return stack.service(service).orElseThrow().baseUrl();
    }

    /** The client configuration of a developer of the stack's project. */
    public static FlowConfig config() {
        return FlowConfig.of(url("submitter-service"), url("log-streamer"), url("cost-accountant"), stack.devToken());
    }

    public static Flow flow() {
        return new Flow(config());
    }

    /** What the {@code flow} command reads: the same settings as environment variables. */
    public static Map<String, String> env() {
        return Map.of("FLOW_API_URL", url("submitter-service"), "FLOW_LOGS_URL", url("log-streamer"),
                "FLOW_COST_URL", url("cost-accountant"), "FLOW_TOKEN", stack.devToken());
    }
}
