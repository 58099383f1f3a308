package dev.flow.system.faults;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.devstack.MithrilEmulator;
import io.restassured.specification.RequestSpecification;

/**
 * What the emulator itself knows, read through its API and its admin reads, never through the platform: every bid
 * of the project (live or ended), each bid's instances, what Mithril bills them, what each node's workload printed.
 */
public final class MithrilTruth {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A bid as Mithril has it. */
    record Bid(String fid, String name, String status, Instant createdAt, Instant deactivatedAt) {
        boolean live() {
            return !"Terminated".equals(status);
        }
    }

    private final MithrilEmulator emulator;
    private final String projectFid;

    public MithrilTruth(MithrilEmulator emulator, String projectName) {
        this.emulator = emulator;
        List<Map<String, Object>> projects = api().get(emulator.baseUrl() + "/v2/projects").then().statusCode(200)
                .extract().jsonPath().getList("$");
        this.projectFid = projects.stream().filter(p -> projectName.equals(p.get("name")))
                .map(p -> (String) p.get("fid")).findFirst().orElseThrow();
    }

    /** Every bid of the project, ended ones included. */
    List<Bid> bids() {
        List<Bid> bids = new ArrayList<>();
        for (JsonNode bid : pages("/v2/spot/bids", Map.of(), "data")) {
            bids.add(new Bid(bid.path("fid").asText(), bid.path("name").asText(), bid.path("status").asText(),
                    instant(bid.path("created_at")), instant(bid.path("deactivated_at"))));
        }
        return bids;
    }

    /** The instances a bid ever had: {@code fid -> name} ({@code <bid name>-<rank>}). */
    List<JsonNode> instancesOf(String bidFid) {
        return pages("/v2/instances", Map.of("bid_fid_in", bidFid), "data");
    }

    /** Sets the market price of the preemption tasks' type in every region (null: the market sets it again). */
    void pinPrice(String instanceType, String price) {
        for (String region : List.of("us-central1-a", "us-central1-b", "eu-central1-a", "us-central2-a")) {
            emulator.setSpotPrice(instanceType, region, price);
        }
    }

    /**
     * What Mithril bills a bid's instances, from its pricing history: integer cents per instance-hour over each
     * priced interval (an open one up to {@code now}), in dollars to the nano-dollar.
     */
    public BigDecimal billed(String bidFid, Instant now) {
        BigDecimal total = BigDecimal.ZERO;
        for (JsonNode instance : pages("/v2/instances/pricing/history", Map.of("bid_fid", bidFid), "instances")) {
            for (JsonNode event : instance.path("events")) {
                Instant start = Instant.parse(event.path("start_time").asText());
                Instant end = event.path("end_time").isNull() || event.path("end_time").isMissingNode() ? now
                        : Instant.parse(event.path("end_time").asText());
                long micros = Math.max(0, Duration.between(start, end).toNanos() / 1000);
                total = total.add(BigDecimal.valueOf(event.path("price_cents").asLong()).movePointLeft(2)
                        .multiply(BigDecimal.valueOf(micros)));
            }
        }
        return total.divide(BigDecimal.valueOf(3_600_000_000L), 9, RoundingMode.HALF_EVEN);
    }

    /**
     * The lines an instance's workload printed to stdout or stderr, from the emulator's own container log
     * ({@code <time> <stream> <text>} per line, in the instance directory the admin read names).
     */
    List<String> workloadLines(String instanceFid) {
        JsonNode info = readJson(emulator.admin("GET", "/_emulator/instances/" + instanceFid, null));
        Path log = Path.of(info.path("directory").asText()).resolve("container-main.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        try {
            List<String> texts = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                String[] parts = line.split(" ", 3);
                if (parts.length == 3) {
                    texts.add(parts[2]);
                }
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<JsonNode> pages(String path, Map<String, String> query, String field) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            RequestSpecification request = api().queryParam("project", projectFid).queryParam("limit", 100);
            query.forEach(request::queryParam);
            if (cursor != null) {
                request.queryParam("next_cursor", cursor);
            }
            JsonNode page = readJson(request.get(emulator.baseUrl() + path).then().statusCode(200).extract()
                    .asString());
            page.path(field).forEach(all::add);
            cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
        } while (cursor != null && !cursor.isEmpty());
        return all;
    }

    private RequestSpecification api() {
        return given().header("Authorization", "Bearer " + emulator.apiKey());
    }

    private static Instant instant(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : Instant.parse(node.asText());
    }

    static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
