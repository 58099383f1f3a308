package dev.flow.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;


/**
 * Where the platform is and who is calling: the seed's "configuration is discovered from environment and
 * {@code ~/.flow/config.yaml}". Environment variables win over the file, the file over the local defaults
 * ({@code ./flow-local}'s ports).
 *
 * <pre>
 * # ~/.flow/config.yaml
 * api_url: http://127.0.0.1:8081      # submitter-service           (FLOW_API_URL)
 * logs_url: http://127.0.0.1:8083     # log-streamer                (FLOW_LOGS_URL)
 * cost_url: http://127.0.0.1:8084     # cost-accountant             (FLOW_COST_URL)
 * token: eyJ...                       # platform bearer JWT         (FLOW_TOKEN, or FLOW_TOKEN_FILE)
 * project: flow-dev                   # MITHRIL_DEFAULT_PROJECT
 * region: us-central1-a               # MITHRIL_DEFAULT_REGION
 * ssh_keys: [my-key]                  # MITHRIL_SSH_KEYS (comma-separated)
 * debug: false                        # FLOW_DEBUG
 * contexts:                           # named platforms; the current one's keys override the ones above
 *   prod: {api_url: https://flow.example.com, token_file: ~/.flow/prod-token, project: research}
 * current_context: prod               # FLOW_CONTEXT, or the CLI's --context
 * </pre>
 *
 * The platform authenticates people with a bearer JWT, not with the Mithril API key: the services hold that key.
 */
public record FlowConfig(URI apiUrl, URI logsUrl, URI costUrl, Optional<String> token, Optional<String> project,
                         Optional<String> region, List<String> sshKeys, boolean debug, Duration requestTimeout) {

    public static final URI DEFAULT_API_URL = URI.create("http://127.0.0.1:8081");
    public static final URI DEFAULT_LOGS_URL = URI.create("http://127.0.0.1:8083");
    public static final URI DEFAULT_COST_URL = URI.create("http://127.0.0.1:8084");

    public FlowConfig {
        apiUrl = trimSlash(apiUrl);
        logsUrl = trimSlash(logsUrl);
        costUrl = trimSlash(costUrl);
        token = token.filter(t -> !t.isBlank()).map(String::strip);
        project = project.filter(p -> !p.isBlank());
        region = region.filter(r -> !r.isBlank());
        sshKeys = List.copyOf(sshKeys);
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
    }

    /** A configuration for explicit endpoints (tests, programs that know where the platform is). */
    public static FlowConfig of(String apiUrl, String logsUrl, String costUrl, String token) {
        return new FlowConfig(URI.create(apiUrl), URI.create(logsUrl), URI.create(costUrl), Optional.ofNullable(token),
                Optional.empty(), Optional.empty(), List.of(), false, null);
    }

    /** Environment, then {@code ~/.flow/config.yaml}, then the local defaults. */
    public static FlowConfig discover() {
        return discover(System.getenv(), Path.of(System.getProperty("user.home"), ".flow", "config.yaml"));
    }

    /** As {@link #discover()}, from a given environment and file (tests). */
    public static FlowConfig discover(Map<String, String> env, Path configFile) {
        return discover(env, configFile, null);
    }

    /**
     * As {@link #discover()}, in the named context of the file ({@code null}: {@code FLOW_CONTEXT}, else the file's
     * {@code current_context}, else none). The context's keys override the file's top-level keys; the environment
     * still wins over both.
     *
     * @throws IllegalArgumentException when the context is not in the file
     */
    public static FlowConfig discover(Map<String, String> env, Path configFile, String context) {
        ConfigFile config = ConfigFile.read(configFile);
        String name = context != null ? context : env.get("FLOW_CONTEXT");
        Map<String, String> file = config.settings(name == null || name.isBlank() ? null : name.strip());
        Map<String, String> merged = new LinkedHashMap<>(file);
        put(merged, "api_url", env.get("FLOW_API_URL"));
        put(merged, "logs_url", env.get("FLOW_LOGS_URL"));
        put(merged, "cost_url", env.get("FLOW_COST_URL"));
        put(merged, "token", env.get("FLOW_TOKEN"));
        if (!merged.containsKey("token") || env.containsKey("FLOW_TOKEN_FILE")) {
            String tokenFile = env.getOrDefault("FLOW_TOKEN_FILE", file.get("token_file"));
            if (tokenFile != null && env.get("FLOW_TOKEN") == null) {
                put(merged, "token", readToken(Path.of(tokenFile.startsWith("~/")
                        ? System.getProperty("user.home") + tokenFile.substring(1) : tokenFile)));
            }
        }
        put(merged, "project", env.get("MITHRIL_DEFAULT_PROJECT"));
        put(merged, "region", env.get("MITHRIL_DEFAULT_REGION"));
        put(merged, "ssh_keys", env.get("MITHRIL_SSH_KEYS"));
        put(merged, "debug", env.get("FLOW_DEBUG"));
        return new FlowConfig(
                URI.create(merged.getOrDefault("api_url", DEFAULT_API_URL.toString())),
                URI.create(merged.getOrDefault("logs_url", DEFAULT_LOGS_URL.toString())),
                URI.create(merged.getOrDefault("cost_url", DEFAULT_COST_URL.toString())),
                Optional.ofNullable(merged.get("token")),
                Optional.ofNullable(merged.get("project")),
                Optional.ofNullable(merged.get("region")),
                merged.containsKey("ssh_keys") ? Arrays.stream(merged.get("ssh_keys").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).toList() : List.of(),
                isTrue(merged.getOrDefault("debug", "false")),
                null);
    }

    public FlowConfig withToken(String newToken) {
        return new FlowConfig(apiUrl, logsUrl, costUrl, Optional.ofNullable(newToken), project, region, sshKeys, debug,
                requestTimeout);
    }

    public FlowConfig withProject(String newProject) {
        return new FlowConfig(apiUrl, logsUrl, costUrl, token, Optional.ofNullable(newProject), region, sshKeys, debug,
                requestTimeout);
    }

    @Override
    public String toString() {
        // the token is a credential: never printed
        return "FlowConfig[apiUrl=" + apiUrl + ", logsUrl=" + logsUrl + ", costUrl=" + costUrl + ", token="
                + (token.isPresent() ? "***" : "none") + ", project=" + project.orElse("-") + ", region="
                + region.orElse("-") + ", sshKeys=" + sshKeys + ", debug=" + debug + "]";
    }

    private static boolean isTrue(String value) {
        return value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes");
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value.strip());
        }
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
    }

    private static URI trimSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
    }
}
