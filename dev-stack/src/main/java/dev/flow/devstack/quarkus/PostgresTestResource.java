package dev.flow.devstack.quarkus;

import java.util.HashMap;
import java.util.Map;

import dev.flow.devstack.Infrastructure;
import dev.flow.devstack.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a Quarkus test application a fresh, empty database on a real PostgreSQL server (see {@link Infrastructure}),
 * for both the reactive client (Hibernate Reactive) and JDBC (Flyway), when the application has it.
 *
 * <pre>{@code @WithTestResource(PostgresTestResource.class)}</pre>
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PostgresServer server = Infrastructure.sharedPostgres();
        String database = server.createDatabase("test");
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", server.reactiveUrl(database));
        config.put("quarkus.datasource.username", server.username());
        if (!server.password().isEmpty()) {
            config.put("quarkus.datasource.password", server.password());
        }
        if (hasJdbcDataSource()) {
            config.put("quarkus.datasource.jdbc.url", server.jdbcUrl(database));
        }
        return config;
    }

    @Override
    public void stop() {
        // the server is shared by the JVM's tests and stops with the JVM; each start had its own database
    }

    /** Only applications with the Agroal (JDBC) extension, e.g. for Flyway, understand a JDBC URL. */
    private static boolean hasJdbcDataSource() {
        try {
            Class.forName("io.agroal.api.AgroalDataSource", false, PostgresTestResource.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
