package dev.flow.submitter;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.MithrilClientConfig;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.Project;
import dev.flow.model.event.FlowEvent;
import dev.flow.service.messaging.CloudEventRecords;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** What the submitter's tests share: tokens, a Mithril client of their own, event records. */
public final class SubmitterTestSupport {

    public static final String PROJECT = "flow-dev";
    public static final String OTHER_PROJECT = "flow-other";
    private static MithrilClient mithril;

    private SubmitterTestSupport() {
    }

    public static String token() {
        return DevJwt.shared().token("alice", List.of(PROJECT));
    }

    public static RequestSpecification asAlice() {
        return given().header("Authorization", "Bearer " + token());
    }

    public static synchronized MithrilClient mithril() {
        if (mithril == null) {
            MithrilEmulator emulator = MithrilEmulatorTestResource.shared();
            mithril = MithrilClient.create(MithrilClientConfig.of(emulator.baseUrl(), emulator.apiKey()));
        }
        return mithril;
    }

    public static String projectFid(String name) {
        return mithril().projects().await().atMost(Duration.ofSeconds(30)).stream()
                .filter(p -> p.name().equals(name)).map(Project::fid).findFirst().orElseThrow();
    }

    public static Optional<Bid> bidOf(String taskId) {
        return mithril().findBidByName(projectFid(PROJECT), "flow-" + taskId).await().atMost(Duration.ofSeconds(30));
    }

    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Submits and returns the response (201 expected by the caller). */
    public static Response submit(String json) {
        return asAlice().contentType("application/json").body(json).post("/v1/tasks");
    }

    /** How many times the emulator was asked to create a bid (all callers). */
    public static long bidCreations(MithrilEmulator emulator) {
        return requests(emulator, "POST /v2/spot/bids");
    }

    /** How many times the emulator was asked to create a volume (all callers). */
    public static long volumeCreations(MithrilEmulator emulator) {
        return requests(emulator, "POST /v2/volumes");
    }

    private static long requests(MithrilEmulator emulator, String call) {
        String counters = emulator.requestCounters();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + java.util.regex.Pattern.quote(call)
                + "\"\\s*:\\s*(\\d+)").matcher(counters);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    public static String bobToken() {
        return DevJwt.shared().token("bob", List.of(OTHER_PROJECT));
    }

    public static RequestSpecification asBob() {
        return given().header("Authorization", "Bearer " + bobToken());
    }

    public static ProducerRecord<String, byte[]> record(String topic, FlowEvent event) {
        return CloudEventRecords.toProducerRecord(topic, event, "/flow/test", UUID.randomUUID().toString());
    }
}
