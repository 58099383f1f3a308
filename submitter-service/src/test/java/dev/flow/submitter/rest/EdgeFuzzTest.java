package dev.flow.submitter.rest;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.fuzz.EdgeFuzz;
import dev.flow.devstack.fuzz.EdgeFuzz.Case;
import dev.flow.devstack.fuzz.Gen;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.SubmitterTestSupport;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.flow.submitter.SubmitterTestSupport.bidCreations;
import static dev.flow.submitter.SubmitterTestSupport.volumeCreations;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated hostile requests against every public endpoint and query parameter of the running submitter (real
 * Kafka, PostgreSQL and emulator): never a 5xx, every 4xx problem+json, every answer within 2 s, and no bid or volume
 * asked of the emulator. Each generated body ends with an unknown field, so none can be a valid request.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EdgeFuzzTest {

    private static final String NEVER_VALID = "\"fuzz_marker\": true";
    private static final List<String> TASK_FIELDS = List.of("name", "instance_type", "min_gpu_memory_gb", "command",
            "volumes", "env", "ssh_keys", "max_price_per_hour", "max_run_time_hours", "num_instances", "image",
            "working_dir", "region", "ports", "retry");

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @TestHTTPResource("/")
    URL base;

    @SuppressWarnings("unchecked")
    private static Gen<Case> everyEndpoint() {
        return Gen.weighted(
                6, EdgeFuzz.posts("/v1/tasks", TASK_FIELDS, NEVER_VALID),
                3, EdgeFuzz.gets("/v1/tasks", List.of("limit", "status", "name", "cursor", "project")),
                2, EdgeFuzz.gets(id -> "/v1/tasks/" + id, List.of()),
                1, EdgeFuzz.gets(id -> "/v1/tasks/" + id + "/events", List.of()),
                1, (Gen<Case>) r -> new Case("DELETE", "/v1/tasks/" + EdgeFuzz.encode(
                        dev.flow.devstack.fuzz.HostileValues.text().next(r) + "x"), Map.of(), null, null),
                1, EdgeFuzz.posts("/v1/tasks/task-0000000000000000/volumes", List.of("volume", "mount_path"), null),
                1, EdgeFuzz.posts("/v1/tasks/task-0000000000000000/exec", List.of("command", "node", "timeout_seconds"),
                        null),
                2, EdgeFuzz.gets("/v1/instances", List.of("instance_type", "min_gpu_count", "max_price", "region",
                        "gpu_memory_gb", "gpu_type", "limit")),
                2, EdgeFuzz.gets("/v1/volumes", List.of("project", "limit")),
                2, EdgeFuzz.posts("/v1/volumes", List.of("name", "size_gb", "region", "interface"), NEVER_VALID),
                2, EdgeFuzz.posts("/v1/invocations", List.of("function", "args", "kwargs", "instance_type",
                        "max_run_time_hours", "name"), NEVER_VALID),
                1, EdgeFuzz.gets(id -> "/v1/invocations/" + id, List.of()));
    }

    @Test
    void hostileRequestsGetProblemsPromptlyAndCreateNothing() {
        long bids = bidCreations(emulator);
        long volumes = volumeCreations(emulator);
        long seed = Gen.seed();
        EdgeFuzz.Result result = new EdgeFuzz(base.toString(), SubmitterTestSupport.token())
                .run(everyEndpoint(), seed, 400);
        System.out.println(EdgeFuzz.summary("submitter-service", seed, result));
        assertThat(result.failures()).as("seed %d", seed).isEmpty();
        assertThat(result.statuses().keySet()).as("most cases are refused").anyMatch(s -> s >= 400 && s < 500);
        assertThat(bidCreations(emulator) - bids).as("bids asked of the emulator").isZero();
        assertThat(volumeCreations(emulator) - volumes).as("volumes asked of the emulator").isZero();
    }

    @Test
    void theReportedFindingsAreProblems() {
        long bids = bidCreations(emulator);
        SubmitterTestSupport.asAlice().contentType("text/plain")
                .body("{\"instance_type\": \"a100\", \"command\": \"true\"}").post("/v1/tasks")
                .then().statusCode(415).contentType("application/problem+json");
        SubmitterTestSupport.submit("{\"instance_type\": \"a100\", \"command\": \"true\", \"max_run_time_hours\": 1e-12}")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("max_run_time_hours"))
                .body("errors[0].reason", org.hamcrest.Matchers.containsString("at least 0.01"))
                .body("errors[0].suggestion", org.hamcrest.Matchers.equalTo("1"));
        SubmitterTestSupport.asAlice().urlEncodingEnabled(false).get("/v1/tasks/task-%00")
                .then().statusCode(404).contentType("application/problem+json");
        SubmitterTestSupport.asAlice().queryParam("name", "x".repeat(9000)).get("/v1/tasks")
                .then().statusCode(414).contentType("application/problem+json");
        SubmitterTestSupport.asAlice().queryParam("name", "a\u0000b").get("/v1/tasks")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", org.hamcrest.Matchers.equalTo("name"));
        assertThat(bidCreations(emulator) - bids).isZero();
    }

    @Test
    void hugeExponentsLeaveTheServiceAnsweringOrdinaryRequests() throws Exception {
        long bids = bidCreations(emulator);
        EdgeFuzz fuzz = new EdgeFuzz(base.toString(), SubmitterTestSupport.token());
        String huge = "{\"name\": \"huge\", \"instance_type\": \"a100\", \"command\": \"true\", "
                + "\"max_price_per_hour\": 1e500000000, \"max_run_time_hours\": 1E+2147483647}";
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            // several at once, one per event loop and more: before the fix each held a thread for minutes
            List<CompletableFuture<EdgeFuzz.Result>> hugeOnes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                hugeOnes.add(CompletableFuture.supplyAsync(() -> fuzz.run(List.of(
                        Case.post("/v1/tasks", "application/json", huge))), pool));
            }
            List<CompletableFuture<EdgeFuzz.Result>> ordinary = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Case c = i % 2 == 0 ? Case.get("/v1/tasks", Map.of("limit", "5"))
                        : Case.post("/v1/tasks", "application/json", "{\"instance_type\": \"a100\"}");
                ordinary.add(CompletableFuture.supplyAsync(() -> fuzz.run(List.of(c)), pool));
            }
            for (CompletableFuture<EdgeFuzz.Result> f : hugeOnes) {
                EdgeFuzz.Result r = f.get();
                assertThat(r.failures()).isEmpty();
                assertThat(r.statuses()).containsOnlyKeys(422);
            }
            int answered = 0;
            for (CompletableFuture<EdgeFuzz.Result> f : ordinary) {
                EdgeFuzz.Result r = f.get();
                assertThat(r.failures()).as("each ordinary request is answered within 2 s").isEmpty();
                answered += r.cases();
            }
            System.out.println("submitter-service: 4 huge-exponent requests, then " + answered
                    + " ordinary requests, all answered");
            assertThat(answered).isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
        assertThat(bidCreations(emulator) - bids).isZero();
    }
}
