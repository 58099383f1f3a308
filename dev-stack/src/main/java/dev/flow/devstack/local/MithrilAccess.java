package dev.flow.devstack.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the local runner needs from Mithril (real or emulated) before the services start: the project, and the
 * platform's SSH key, through which the log-streamer tails every node. Plain JDK HTTP: the services themselves use
 * the typed client; this is set-up only. The API key is sent, never printed.
 */
final class MithrilAccess {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The platform key: its Mithril fid and the file holding its private key (mode 600). */
    record PlatformKey(String fid, Path privateKeyFile) {
    }

    private final String url;
    private final String apiKey;
    private final String project;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private MithrilAccess(String url, String apiKey, String project) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.apiKey = apiKey;
        this.project = project;
    }

    static MithrilAccess emulator(String url, String apiKey, String project) {
        return new MithrilAccess(url, apiKey, project);
    }

    /** Real Mithril: the given project, else the account's first one. */
    static MithrilAccess real(String url, String apiKey, String project) {
        MithrilAccess access = new MithrilAccess(url, apiKey, project);
        if (project == null || project.isBlank()) {
            JsonNode projects = access.get("/v2/projects");
            if (!projects.isArray() || projects.isEmpty()) {
                throw new IllegalStateException("the Mithril account has no project; set MITHRIL_DEFAULT_PROJECT");
            }
            return new MithrilAccess(url, apiKey, projects.get(0).path("name").asText());
        }
        return access;
    }

    String url() {
        return url;
    }

    String apiKey() {
        return apiKey;
    }

    String project() {
        return project;
    }

    /**
     * The platform SSH key: the one saved in the state directory if Mithril still has it, else a new one generated
     * by Mithril ({@code POST /v2/ssh-keys} without a public key returns the private key once).
     */
    PlatformKey platformSshKey(Path stateDir) {
        Path privateKey = stateDir.resolve("platform-ssh-key");
        Path fidFile = stateDir.resolve("platform-ssh-key.fid");
        String projectFid = projectFid();
        try {
            if (Files.exists(privateKey) && Files.exists(fidFile)) {
                String fid = Files.readString(fidFile).trim();
                for (JsonNode key : get("/v2/ssh-keys?project=" + encode(projectFid))) {
                    if (fid.equals(key.path("fid").asText())) {
                        return new PlatformKey(fid, privateKey);
                    }
                }
            }
            String body = JSON.writeValueAsString(JSON.createObjectNode()
                    .put("project", projectFid)
                    .put("name", "flow-platform-" + Instant.now().getEpochSecond()));
            JsonNode created = send(HttpRequest.newBuilder(URI.create(url + "/v2/ssh-keys"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            String fid = created.path("fid").asText();
            String pem = created.path("private_key").asText();
            if (fid.isEmpty() || pem.isEmpty()) {
                throw new IllegalStateException("Mithril did not return a generated SSH key");
            }
            LocalStack.writePrivate(privateKey, pem.endsWith("\n") ? pem : pem + "\n");
            LocalStack.writePrivate(fidFile, fid + "\n");
            return new PlatformKey(fid, privateKey);
        } catch (IOException e) {
            throw new UncheckedIOException("could not set up the platform SSH key", e);
        }
    }

    private String projectFid() {
        for (JsonNode candidate : get("/v2/projects")) {
            if (project.equals(candidate.path("name").asText()) || project.equals(candidate.path("fid").asText())) {
                return candidate.path("fid").asText();
            }
        }
        throw new IllegalStateException("Mithril has no project named " + project);
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request
                            .header("Authorization", "Bearer " + apiKey)
                            .header("Accept", "application/json")
                            .timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("Mithril answered " + response.statusCode() + " to "
                        + response.request().method() + " " + response.request().uri().getPath() + ": "
                        + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Mithril at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
