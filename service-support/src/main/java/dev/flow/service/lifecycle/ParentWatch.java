package dev.flow.service.lifecycle;

import java.io.IOException;
import java.io.InputStream;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * With {@code flow.exit-on-stdin-eof=true} (set by the local run and the system tests that start services as child
 * processes) the service exits when its stdin closes: its parent stopped it, or died, however abruptly. No orphan
 * service outlives the command that started it.
 */
@ApplicationScoped
public class ParentWatch {

    private static final Logger LOG = Logger.getLogger(ParentWatch.class);

    private final boolean enabled;

    public ParentWatch(@ConfigProperty(name = "flow.exit-on-stdin-eof", defaultValue = "false") boolean enabled) {
        this.enabled = enabled;
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                byte[] buffer = new byte[256];
                while (in.read(buffer) >= 0) {
                    // the parent never writes; anything it sends is ignored
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as EOF
            }
            LOG.info("stdin closed: the parent process is gone, shutting down");
            Quarkus.asyncExit(0);
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
