package dev.flow.emulator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every knob of the emulator; admin endpoints can change the market/clock ones at runtime. */
@ConfigMapping(prefix = "emulator")
public interface EmulatorConfig {

    /** Seed of every FID and of the price process, so catalogs and runs are reproducible. */
    @WithDefault("20260101")
    long seed();

    Auth auth();

    Market market();

    Instances instances();

    Workload workload();

    Ssh ssh();

    /** Exit when stdin reaches EOF: the dev-stack harness starts the emulator as a child and must never orphan it. */
    @WithDefault("false")
    boolean exitOnStdinEof();

    interface Auth {
        /** Local development credential, printed at start. */
        @WithDefault("fkey_emulator0dev0local0key")
        String devKey();

        /** Projects (by name) the dev key may use; the first is the dev project. */
        @WithDefault("flow-dev")
        List<String> devProjects();

        /** More keys: secret → project names it may use. */
        Map<String, List<String>> extraKeys();

        /** When set, only this key may call /_emulator; otherwise any valid API key may. */
        Optional<String> adminKey();
    }

    interface Market {
        /** How often open bids are evaluated (emulated time; Mithril uses 2 minutes). */
        @WithDefault("1s")
        Duration auctionInterval();

        /** Emulated seconds per real second. */
        @WithDefault("1.0")
        double clockSpeed();

        /** Relative step of the spot price random walk per auction round, in basis points (0 = fixed prices). */
        @WithDefault("100")
        int volatilityBps();

        /** Instances of each type per region. */
        @WithDefault("64")
        int capacityPerRegion();
    }

    interface Instances {
        /** Emulated time between two boot states (NEW → CONFIRMED → INITIALIZING → STARTING → RUNNING). */
        @WithDefault("500ms")
        Duration stepDelay();

        /** Emulated notice between Preempting and preemption (Mithril: 5 minutes). */
        @WithDefault("5m")
        Duration preemptionNotice();
    }

    interface Workload {
        /** Root of the per-instance directories; a fresh temp dir when unset. */
        Optional<String> root();

        /** Maximum concurrent local processes (workloads plus SSH commands). */
        @WithDefault("64")
        int maxProcesses();

        /** Output kept per instance container log; later output is dropped. */
        @WithDefault("16777216")
        long maxOutputBytes();
    }

    interface Ssh {
        /** Address the per-instance SSH servers bind to. */
        @WithDefault("127.0.0.1")
        String host();
    }
}
