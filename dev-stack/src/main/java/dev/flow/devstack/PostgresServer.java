package dev.flow.devstack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/** A running PostgreSQL server that tests and the local run can use: embedded, in a container, or external. */
public interface PostgresServer extends AutoCloseable {

    /** Numbers the databases this JVM creates, so that every test application gets an empty one. */
    AtomicInteger DATABASES_CREATED = new AtomicInteger();

    String host();

    int port();

    String username();

    /** The password, or an empty string when the server trusts local connections. */
    String password();

    /** One line for people: what this is and where it runs. */
    String description();

    default String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** The URL form the Vert.x reactive PostgreSQL client (Hibernate Reactive) expects. */
    default String reactiveUrl(String database) {
        return "postgresql://" + host() + ":" + port() + "/" + database;
    }

    /**
     * Creates an empty database named {@code <prefix>_<pid>_<n>} and returns its name. Tests call this once per
     * application start, so no test sees another's rows, whichever server they share.
     */
    default String createDatabase(String prefix) {
        String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + DATABASES_CREATED.incrementAndGet())
                .toLowerCase().replaceAll("[^a-z0-9_]", "_");
        return createDatabaseNamed(name);
    }

    /** Creates the database if it does not exist yet and returns its name. */
    default String createDatabaseNamed(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain PostgreSQL identifier: " + name);
        }
        Properties credentials = new Properties();
        credentials.setProperty("user", username());
        if (!password().isEmpty()) {
            credentials.setProperty("password", password());
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), credentials);
             Statement statement = connection.createStatement();
             var existing = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            if (!existing.next()) {
                // the name was checked above: a plain identifier, safe to splice into DDL
                statement.execute("CREATE DATABASE " + name);
            }
            return name;
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on " + description(), e);
        }
    }

    /** Stops what this object started; an external server is left alone. */
    @Override
    void close();
}
