package dev.flow.emulator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract check itself must reject what the spec rejects, or the other tests prove nothing. */
class OpenApiContractTest {

    private final OpenApiContract contract = OpenApiContract.get();

    @Test
    void resolvesTemplatesPreferringLiteralSegments() {
        assertThat(contract.template("/v2/instances/status/history")).contains("/v2/instances/status/history");
        assertThat(contract.template("/v2/instances/inst_abc/status")).contains("/v2/instances/{instance_fid}/status");
        assertThat(contract.template("/v2/nope")).isEmpty();
    }

    @Test
    void acceptsAConformingBidStatusAndNullableFields() {
        assertThat(contract.violations("GET", "/v2/spot/bids/bid_x/status", 200, "application/json",
                "{\"bid_fid\":\"bid_x\",\"status\":\"Open\"}")).isEmpty();
        assertThat(contract.violations("GET", "/v2/instances/inst_x/status", 200, "application/json",
                "{\"fid\":\"inst_x\",\"name\":\"n-0\",\"status\":\"STATUS_RUNNING\",\"bid\":null,\"end_time\":null}"))
                .isEmpty();
    }

    @Test
    void rejectsWrongEnumMissingFieldWrongTypeAndNullWhereNotNullable() {
        assertThat(contract.violations("GET", "/v2/spot/bids/bid_x/status", 200, "application/json",
                "{\"bid_fid\":\"bid_x\",\"status\":\"Running\"}")).isNotEmpty();
        assertThat(contract.violations("GET", "/v2/spot/bids/bid_x/status", 200, "application/json",
                "{\"status\":\"Open\"}")).isNotEmpty();
        assertThat(contract.violations("GET", "/v2/instances/inst_x/status", 200, "application/json",
                "{\"fid\":\"inst_x\",\"name\":null,\"status\":\"STATUS_RUNNING\"}")).isNotEmpty();
        assertThat(contract.violations("GET", "/v2/spot/bids", 200, "application/json",
                "{\"data\":[{\"fid\":1}],\"next_cursor\":null}")).isNotEmpty();
    }

    @Test
    void checksStatusCodesBodiesAndErrorShapes() {
        assertThat(contract.violations("DELETE", "/v2/spot/bids/bid_x", 204, null, "")).isEmpty();
        assertThat(contract.violations("DELETE", "/v2/spot/bids/bid_x", 200, "application/json", "{}")).isNotEmpty();
        assertThat(contract.violations("POST", "/v2/spot/bids", 200, "application/json", "{}")).isNotEmpty();
        assertThat(contract.violations("GET", "/v2/spot/bids/bid_x", 404, "application/json",
                "{\"detail\":\"Bid not found\"}")).isEmpty();
        assertThat(contract.violations("GET", "/v2/spot/bids/bid_x", 404, "application/json",
                "{\"error\":\"x\"}")).isNotEmpty();
        assertThat(contract.violations("GET", "/v2/spot/bids", 422, "application/json",
                "{\"detail\":[{\"loc\":[\"query\",\"limit\"],\"msg\":\"m\",\"type\":\"t\"}]}")).isEmpty();
        assertThat(contract.violations("GET", "/v2/spot/bids", 422, "application/json",
                "{\"detail\":[{\"loc\":[\"query\",\"limit\"]}]}")).isNotEmpty();
        assertThat(contract.violations("GET", "/v2/unknown", 200, "application/json", "{}")).isNotEmpty();
    }
}
