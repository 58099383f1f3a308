package dev.flow.mithril.client;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the client needs. Build it from the seed's environment variables with {@link #fromEnv(Map)}, or
 * directly (services map their {@code @ConfigMapping} onto it). {@link #toString()} never shows the API key.
 *
 * @param apiUrl         base URL without {@code /v2}, e.g. {@code https://api.mithril.ai}
 * @param apiKey         {@code fkey_...}; sent as a bearer token, never logged
 * @param defaultProject project fid or name used when the caller gives none (may be null)
 * @param defaultRegion  region used when the caller gives none (may be null)
 * @param sshKeys        ssh key fids to put on every bid
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout time without any response data after which one attempt fails with a timeout
 * @param retry          retry policy
 * @param userAgent      sent as {@code User-Agent}
 */
public record MithrilClientConfig(String apiUrl, String apiKey, String defaultProject, String defaultRegion,
                                  List<String> sshKeys, Duration connectTimeout, Duration requestTimeout,
                                  RetryPolicy retry, String userAgent) {

    public static final String DEFAULT_API_URL = "https://api.mithril.ai";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    public MithrilClientConfig {
        Objects.requireNonNull(apiKey, "apiKey (MITHRIL_API_KEY) is required");
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey (MITHRIL_API_KEY) is blank");
        }
        apiUrl = stripTrailingSlash(apiUrl == null || apiUrl.isBlank() ? DEFAULT_API_URL : apiUrl.strip());
        sshKeys = sshKeys == null ? List.of() : List.copyOf(sshKeys);
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
        retry = retry == null ? RetryPolicy.DEFAULT : retry;
        userAgent = userAgent == null || userAgent.isBlank() ? "flow-platform/" + ClientVersion.VERSION : userAgent;
    }

    /** A config with defaults for everything but URL and key. */
    public static MithrilClientConfig of(String apiUrl, String apiKey) {
        return new MithrilClientConfig(apiUrl, apiKey, null, null, List.of(), null, null, null, null);
    }

    /**
     * Reads {@code MITHRIL_API_KEY} (required), {@code MITHRIL_API_URL}, {@code MITHRIL_DEFAULT_PROJECT},
     * {@code MITHRIL_DEFAULT_REGION}, {@code MITHRIL_SSH_KEYS} (comma-separated), and optionally
     * {@code MITHRIL_CONNECT_TIMEOUT}, {@code MITHRIL_REQUEST_TIMEOUT} (seconds or ISO-8601 like {@code PT30S})
     * and {@code MITHRIL_MAX_RETRIES}. Pass {@code System.getenv()} in production.
     */
    public static MithrilClientConfig fromEnv(Map<String, String> env) {
        String key = env.get("MITHRIL_API_KEY");
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("MITHRIL_API_KEY is not set");
        }
        RetryPolicy retry = RetryPolicy.DEFAULT;
        String maxRetries = blankToNull(env.get("MITHRIL_MAX_RETRIES"));
        if (maxRetries != null) {
            retry = new RetryPolicy(Integer.parseInt(maxRetries), retry.initialBackoff(), retry.maxBackoff(),
                    retry.maxRetryAfter());
        }
        return new MithrilClientConfig(
                env.get("MITHRIL_API_URL"), key,
                blankToNull(env.get("MITHRIL_DEFAULT_PROJECT")), blankToNull(env.get("MITHRIL_DEFAULT_REGION")),
                splitCsv(env.get("MITHRIL_SSH_KEYS")),
                duration(env, "MITHRIL_CONNECT_TIMEOUT"), duration(env, "MITHRIL_REQUEST_TIMEOUT"),
                retry, null);
    }

    public MithrilClientConfig withApiUrl(String v) {
        return new MithrilClientConfig(v, apiKey, defaultProject, defaultRegion, sshKeys, connectTimeout, requestTimeout, retry, userAgent);
    }

    public MithrilClientConfig withApiKey(String v) {
        return new MithrilClientConfig(apiUrl, v, defaultProject, defaultRegion, sshKeys, connectTimeout, requestTimeout, retry, userAgent);
    }

    public MithrilClientConfig withDefaults(String project, String region) {
        return new MithrilClientConfig(apiUrl, apiKey, project, region, sshKeys, connectTimeout, requestTimeout, retry, userAgent);
    }

    public MithrilClientConfig withTimeouts(Duration connect, Duration request) {
        return new MithrilClientConfig(apiUrl, apiKey, defaultProject, defaultRegion, sshKeys, connect, request, retry, userAgent);
    }

    public MithrilClientConfig withRetry(RetryPolicy v) {
        return new MithrilClientConfig(apiUrl, apiKey, defaultProject, defaultRegion, sshKeys, connectTimeout, requestTimeout, v, userAgent);
    }

    /** The key's first characters only, enough to tell two keys apart in a support conversation. */
    public String redactedKey() {
        return apiKey.length() <= 9 ? "<redacted>" : apiKey.substring(0, 5) + "…<redacted>";
    }

    @Override
    public String toString() {
        return "MithrilClientConfig[apiUrl=" + apiUrl + ", apiKey=<redacted>, defaultProject=" + defaultProject
                + ", defaultRegion=" + defaultRegion + ", sshKeys=" + sshKeys + ", connectTimeout=" + connectTimeout
                + ", requestTimeout=" + requestTimeout + ", retry=" + retry + ", userAgent=" + userAgent + "]";
    }

    private static List<String> splitCsv(String s) {
        if (s == null || s.isBlank()) {
            return List.of();
        }
        return Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private static Duration duration(Map<String, String> env, String name) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return null;
        }
        try {
            return v.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(v)) : Duration.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be seconds or an ISO-8601 duration, got " + v, e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static String stripTrailingSlash(String url) {
        String u = url;
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
