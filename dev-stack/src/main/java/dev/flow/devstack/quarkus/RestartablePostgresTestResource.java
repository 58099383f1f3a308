package dev.flow.devstack.quarkus;

import java.util.HashMap;
import java.util.Map;

import dev.flow.devstack.EmbeddedPostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A PostgreSQL server of its own (not the JVM's shared one), which a test may stop and start again on the same port
 * with the same data: for tests of a database outage. {@link #server()} is the running server.
 */
public class RestartablePostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedPostgresServer server;

    public static synchronized EmbeddedPostgresServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        synchronized (RestartablePostgresTestResource.class) {
            server = EmbeddedPostgresServer.start();
        }
        String database = server.createDatabase("restart");
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", server.reactiveUrl(database));
        config.put("quarkus.datasource.jdbc.url", server.jdbcUrl(database));
        config.put("quarkus.datasource.username", server.username());
        return config;
    }

    @Override
    public void stop() {
        synchronized (RestartablePostgresTestResource.class) {
            if (server != null) {
                server.close();
                server = null;
            }
        }
    }
}
