package dev.flow.devstack.quarkus;

import java.util.List;
import java.util.Map;

import dev.flow.devstack.MithrilEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a Quarkus test application the Mithril emulator as its Mithril (one emulator per test JVM, shared), sets the
 * {@code mithril.*} settings every service reads, and injects the {@link MithrilEmulator} into test fields of that
 * type annotated {@link InjectMithrilEmulator}, for its admin API. The emulator's jar must be built
 * (a test dependency on {@code dev.flow:mithril-emulator} orders the reactor).
 */
public class MithrilEmulatorTestResource implements QuarkusTestResourceLifecycleManager {

    /** The projects the dev key may use in tests: a default one and one for cross-project checks. */
    public static final List<String> PROJECTS = List.of("flow-dev", "flow-other");

    private static MithrilEmulator shared;

    /** The JVM's emulator, started on first use, stopped when the JVM exits. */
    public static synchronized MithrilEmulator shared() {
        if (shared == null) {
            MithrilEmulator emulator = MithrilEmulator.startForTests(PROJECTS);
            Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "mithril-emulator-stop"));
            shared = emulator;
        }
        return shared;
    }

    @Override
    public Map<String, String> start() {
        MithrilEmulator emulator = shared();
        return Map.of(
                "mithril.api-url", emulator.baseUrl(),
                "mithril.api-key", emulator.apiKey());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(shared(),
                new TestInjector.AnnotatedAndMatchesType(InjectMithrilEmulator.class, MithrilEmulator.class));
    }

    @Override
    public void stop() {
        // shared by the JVM's tests; stops with the JVM
    }
}
