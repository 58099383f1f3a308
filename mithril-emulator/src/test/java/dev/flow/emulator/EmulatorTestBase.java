package dev.flow.emulator;

import dev.flow.model.startup.WorkloadBlock;
import dev.flow.model.startup.WorkloadSpec;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** Shared helpers; every request goes through the {@link ContractFilter}. */
public abstract class EmulatorTestBase {

    static final String DEV_KEY = "fkey_emulator0dev0local0key";
    static final String SECOND_KEY = "fkey_second0tenant0key";

    static {
        RestAssured.filters(new ContractFilter());
    }

    protected String project;

    @BeforeEach
    void resetEmulator() {
        admin().post("/_emulator/reset").then().statusCode(204);
        project = api().get("/v2/projects").then().statusCode(200).extract().path("find { it.name == 'flow-dev' }.fid");
    }

    static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + DEV_KEY).contentType(ContentType.JSON);
    }

    static RequestSpecification admin() {
        return api();
    }

    /** The it_ fid of a type name in a region, from the catalog. */
    static String typeFid(String name, String region) {
        List<Map<String, Object>> types = api().get("/v2/instance-types").then().statusCode(200).extract().jsonPath()
                .getList("$");
        List<String> fidsOfName = types.stream().filter(t -> t.get("name").equals(name)).map(t -> (String) t.get("fid"))
                .toList();
        List<Map<String, Object>> auctions = api().get("/v2/spot/availability").then().statusCode(200).extract()
                .jsonPath().getList("$");
        return auctions.stream().filter(a -> a.get("region").equals(region) && fidsOfName.contains(a.get("instance_type")))
                .map(a -> (String) a.get("instance_type")).findFirst().orElseThrow();
    }

    /** A registered key pair (generated server-side). */
    record KeyPairText(String fid, String publicKey, String privateKey) {
    }

    KeyPairText newSshKey(String name) {
        JsonPath json = api().body(Map.of("project", project, "name", name)).post("/v2/ssh-keys")
                .then().statusCode(201).extract().jsonPath();
        return new KeyPairText(json.getString("fid"), json.getString("public_key"), json.getString("private_key"));
    }

    static String script(String command, int nodes, Map<String, String> env) {
        WorkloadSpec spec = new WorkloadSpec("task-1", command, "nvidia/cuda:12.1.0-runtime-ubuntu22.04", env,
                "/workspace", List.of(), nodes, List.of());
        return "#!/bin/bash\n# FLOW_ORIGIN: test\n" + WorkloadBlock.encode(spec) + "echo booting\n";
    }

    Map<String, Object> bidBody(String name, String typeFid, String region, String price, int quantity,
                                List<String> keys, List<String> volumes, String startupScript) {
        Map<String, Object> launch = new java.util.HashMap<>();
        launch.put("ssh_keys", keys);
        launch.put("volumes", volumes);
        if (startupScript != null) {
            launch.put("startup_script", startupScript);
        }
        return Map.of("project", project, "region", region, "instance_type", typeFid, "limit_price", price,
                "instance_quantity", quantity, "name", name, "launch_specification", launch);
    }

    String createBid(Map<String, Object> body) {
        return api().body(body).post("/v2/spot/bids").then().statusCode(201).extract().path("fid");
    }

    /** Ends preemption notices (10 minutes of emulated time in tests) by moving the emulated clock past them. */
    static void passPreemptionNotice() {
        admin().body(Map.of("seconds", 601)).post("/_emulator/clock/advance").then().statusCode(200);
    }

    static void awaitBidStatus(String bid, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                status.equals(api().get("/v2/spot/bids/" + bid + "/status").then().statusCode(200).extract().path("status")));
    }

    /** Instances of the bid, once all are in {@code status}. */
    List<Map<String, Object>> awaitInstances(String bid, int count, String status) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> instancesOf(bid),
                list -> list.size() == count && list.stream().allMatch(i -> status.equals(i.get("status"))));
    }

    List<Map<String, Object>> instancesOf(String bid) {
        return api().queryParam("project", project).queryParam("bid_fid_in", bid).get("/v2/instances")
                .then().statusCode(200).extract().jsonPath().getList("data");
    }
}
