package dev.flow.devstack;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Servers someone else runs (a CI service, a developer's own): used as they are and never stopped. */
final class ExternalServers {

    private ExternalServers() {
    }

    record Kafka(String bootstrapServers) implements KafkaCluster {
        @Override
        public String description() {
            return "external Kafka at " + bootstrapServers;
        }

        @Override
        public void close() {
            // not ours to stop
        }
    }

    /**
     * PostgreSQL given as a libpq URL, {@code postgresql://user:password@host:port}. The credentials stay out of
     * {@link #description()}.
     */
    record Postgres(String host, int port, String username, String password) implements PostgresServer {

        static Postgres fromUrl(String url) {
            URI uri = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
            if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
                throw new IllegalArgumentException(
                        "FLOW_POSTGRES_URL must look like postgresql://user:password@host:5432");
            }
            String user = "postgres";
            String password = "";
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
            }
            return new Postgres(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password);
        }

        @Override
        public String description() {
            return "external PostgreSQL at " + host + ":" + port;
        }

        @Override
        public String toString() {
            return description();
        }

        @Override
        public void close() {
            // not ours to stop
        }
    }
}
