package dev.flow.emulator.service;

import dev.flow.emulator.config.EmulatorConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;

/** Start banner with the local dev credential, and exit on stdin EOF when run as a child process. */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    private final EmulatorConfig config;
    private final EmulatorEngine engine;
    private final String host;
    private final int port;

    public Lifecycle(EmulatorConfig config, EmulatorEngine engine,
                     @ConfigProperty(name = "quarkus.http.host") String host,
                     @ConfigProperty(name = "quarkus.http.port") int port) {
        this.config = config;
        this.engine = engine;
        this.host = host;
        this.port = port;
    }

    void onStart(@Observes StartupEvent event) {
        // the dev key is a local emulator credential, made to be copied from this line; no other secret is logged
        LOG.infof("Mithril emulator ready on http://%s:%d — MITHRIL_API_KEY=%s MITHRIL_PROJECT=%s (%s)", host, port,
                engine.devKey(), engine.devProject().name(), engine.devProject().fid());
        if (config.exitOnStdinEof()) {
            Thread.ofPlatform().daemon().name("stdin-watch").start(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // the parent only ever closes stdin; input is ignored
                    }
                } catch (IOException e) {
                    // a broken stdin means the parent is gone too
                }
                LOG.info("stdin closed: exiting");
                Quarkus.asyncExit();
            });
        }
    }
}
