package dev.flow.devstack.quarkus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.flow.devstack.QuarkusAppProcess;

/**
 * {@code docs/openapi/<service>.yaml} is what API clients are written from, so it must be what the service serves.
 * Each service's OpenApiDocumentTest fetches {@code /q/openapi} from the running service and compares it with the
 * stored file (the model of shared-model's AsyncApiDocumentTest). After changing an endpoint, regenerate with
 * {@code ./mvnw -pl <service> verify -Dtest=OpenApiDocumentTest -Dopenapi.write=true}.
 */
public final class OpenApiDocuments {

    /** Set to true to (re)write the stored document from the running service before comparing. */
    public static final String WRITE = "openapi.write";

    private OpenApiDocuments() {
    }

    public static Path file(String service) {
        return QuarkusAppProcess.repoRoot().resolve("docs/openapi").resolve(service + ".yaml");
    }

    /** The YAML document the service at {@code base} serves. */
    public static String served(URI base) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/q/openapi")).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + base.resolve("/q/openapi") + " answered " + response.statusCode());
            }
            return response.body().endsWith("\n") ? response.body() : response.body() + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Throws an AssertionError unless {@code docs/openapi/<service>.yaml} is exactly what the running service serves. */
    public static void assertStoredMatchesServed(URI base, String service) {
        String served = served(base);
        Path file = file(service);
        try {
            if (Boolean.getBoolean(WRITE)) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, served, StandardCharsets.UTF_8);
            }
            String stored = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            if (!served.equals(stored)) {
                throw new AssertionError((stored == null ? file + " does not exist" : file + " is out of date with "
                        + service + "'s endpoints") + ": regenerate it with ./mvnw -pl " + service
                        + " verify -Dtest=OpenApiDocumentTest -D" + WRITE + "=true");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
