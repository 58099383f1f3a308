package dev.flow.mithril.client.it;

import java.util.List;

import dev.flow.devstack.MithrilEmulator;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Mithril emulator, started once per test JVM as a child process by dev-stack's {@link MithrilEmulator}
 * (its stdin is a pipe we hold, so it exits with this JVM), with projects of its own for these tests.
 */
public final class EmulatorServer implements ExtensionContext.Store.CloseableResource {

    /** The dev key we give it, so tests need not scrape it from the banner. */
    public static final String API_KEY = "fkey_clientTestKey0123456789";
    /** Projects (by name) the key may use; each test class takes its own so counts stay exact. */
    public static final List<String> PROJECTS =
            List.of("flow-dev", "client-lifecycle", "client-paging", "client-volumes", "client-faults", "client-auth");

    private final MithrilEmulator emulator;

    private EmulatorServer(MithrilEmulator emulator) {
        this.emulator = emulator;
    }

    /** The JVM-wide instance, started on first use and closed when the whole test run ends. */
    public static EmulatorServer shared(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(EmulatorServer.class, k -> start(), EmulatorServer.class);
    }

    static EmulatorServer start() {
        return new EmulatorServer(MithrilEmulator.builder(PROJECTS)
                .apiKey(API_KEY)
                // fixed prices: allocation is decided by the tests' limit prices, not by a random walk
                .property("emulator.market.volatility-bps", "0")
                .property("emulator.market.auction-interval", "200ms")
                .property("emulator.instances.step-delay", "100ms")
                .property("emulator.instances.preemption-notice", "1s")
                .start());
    }

    public String baseUrl() {
        return emulator.baseUrl();
    }

    /** The emulator itself, for its admin API. */
    public MithrilEmulator emulator() {
        return emulator;
    }

    @Override
    public void close() {
        emulator.close();
    }
}
