package dev.flow.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The local Mithril emulator ({@code mithril-emulator}) as a child process: the peer of every test and the embedded
 * default of the local run. Also the client of its admin API ({@code /_emulator/...}), which tests use to set prices,
 * preempt bids, inject faults and count requests.
 */
public final class MithrilEmulator implements AutoCloseable {

    /** The API key the emulator accepts in tests and the local run; a local credential, not a secret. */
    public static final String DEV_API_KEY = "fkey_emulator0dev0local0key";

    private final QuarkusAppProcess app;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MithrilEmulator(QuarkusAppProcess app, String apiKey) {
        this.app = app;
        this.apiKey = apiKey;
    }

    /**
     * Starts the emulator from its packaged jar with fast test settings: fixed prices (no random preemption),
     * auctions every 200 ms, boots in a few hundred milliseconds.
     *
     * @param projects the project names the dev key may use (each test class can take its own)
     */
    public static MithrilEmulator startForTests(List<String> projects) {
        return builder(projects)
                .property("emulator.market.volatility-bps", "0")
                .property("emulator.market.auction-interval", "200ms")
                .property("emulator.instances.step-delay", "100ms")
                .property("emulator.instances.preemption-notice", "1s")
                .start();
    }

    /** A builder with the key and projects set; add {@code emulator.*} properties as needed. */
    public static Builder builder(List<String> projects) {
        return new Builder(projects);
    }

    public String baseUrl() {
        return app.baseUrl();
    }

    public String apiKey() {
        return apiKey;
    }

    public QuarkusAppProcess process() {
        return app;
    }

    /** Forces a bid out of the auction: Preempting now, Preempted after the notice, then Open again. */
    public void preemptBid(String bidFid) {
        admin("POST", "/_emulator/bids/" + bidFid + "/preempt", null);
    }

    /** Sets the spot price of an instance type (name or fid) in a region, e.g. {@code "$12.50"}. */
    public void setSpotPrice(String instanceType, String region, String price) {
        // null unpins the price: the market sets it again
        admin("PUT", "/_emulator/spot-price", "{\"instance_type\":\"" + instanceType + "\",\"region\":\"" + region
                + "\",\"price\":" + (price == null ? "null" : "\"" + price + "\"") + "}");
    }

    /** Makes the next {@code count} matching /v2 requests fail with {@code status} (and Retry-After, if given). */
    public void fail(String method, String pathPattern, int status, Integer retryAfterSeconds, int count) {
        admin("POST", "/_emulator/faults", "{\"method\":\"" + method + "\",\"path_pattern\":\"" + pathPattern
                + "\",\"status\":" + status
                + (retryAfterSeconds == null ? "" : ",\"retry_after_seconds\":" + retryAfterSeconds)
                + ",\"count\":" + count + "}");
    }

    public void clearFaults() {
        admin("DELETE", "/_emulator/faults", null);
    }

    /** Request counters per endpoint template ({@code "GET /v2/spot/bids": 12, ...}) as JSON. */
    public String requestCounters() {
        return admin("GET", "/_emulator/requests", null);
    }

    /** Any admin call: method, path under the emulator, optional JSON body; returns the response body. */
    public String admin(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "Bearer " + apiKey)
                .timeout(Duration.ofSeconds(30));
        if (json != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        app.close();
    }

    /** Settings of an emulator to start. */
    public static final class Builder {
        private final QuarkusAppProcess.Builder app;
        private String apiKey = DEV_API_KEY;

        private Builder(List<String> projects) {
            this.app = QuarkusAppProcess.builder("mithril-emulator", QuarkusAppProcess.jarOf("mithril-emulator"))
                    .exitOnStdinEofProperty("emulator.exit-on-stdin-eof")
                    .maxHeap("256m")
                    .property("emulator.auth.dev-projects", String.join(",", projects));
        }

        public Builder port(int port) {
            app.port(port);
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder property(String key, String value) {
            app.property(key, value);
            return this;
        }

        public Builder logFile(java.nio.file.Path logFile) {
            app.logFile(logFile);
            return this;
        }

        public MithrilEmulator start() {
            app.property("emulator.auth.dev-key", apiKey);
            return new MithrilEmulator(app.start(), apiKey);
        }
    }
}
