package dev.flow.cost;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.xml.parsers.DocumentBuilderFactory;

import dev.flow.cost.support.ReconcilingTestResource;
import dev.flow.devstack.DevJwt;
import dev.flow.devstack.PrometheusRules;
import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.InjectMithrilEmulator;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.CreateVolumeRequest;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.mithril.client.model.Volume;
import dev.flow.model.event.InstanceInfo;
import dev.flow.model.event.ProjectCostUpdated;
import dev.flow.model.event.TaskStatusChanged;
import dev.flow.model.event.Topics;
import dev.flow.model.money.Money;
import dev.flow.model.status.TaskStatus;
import dev.flow.model.status.TransitionReason;
import dev.flow.service.messaging.CloudEventRecords;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Volume storage from Mithril's volume list, and the ways to see costs: ProjectCostUpdated, Prometheus gauges and
 * the SVG spend chart with its budget line. Uses project flow-other (the scenario test uses flow-dev).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(ReconcilingTestResource.class)
class StorageAndSightTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PROJECT = "flow-other";
    private static final String FAR = "2100-01-01T00:00:00Z";

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @InjectMithrilEmulator
    MithrilEmulator emulator;

    @Inject
    MithrilClient mithril;

    private static String token() {
        return DevJwt.shared().token("alice", List.of(PROJECT));
    }

    @Test
    void aVolumeAccruesStorageFromCreationToDeletionAndCostsAreVisibleAsEventsMetricsAndAChart() throws Exception {
        given().auth().oauth2(DevJwt.shared().adminToken("root", List.of(PROJECT))).contentType("application/json")
                .body(Map.of("project", PROJECT, "period", "total", "limit", "$50.00"))
                .post("/v1/budgets").then().statusCode(201);

        // ---- a 100 GB volume lives 30 days (of the emulator's clock) at $0.10 per GB-month
        String projectFid = mithril.projects().await().atMost(WAIT).stream()
                .filter(p -> p.name().equals(PROJECT)).findFirst().orElseThrow().fid();
        Volume volume = mithril.createVolume(new CreateVolumeRequest("cost-" + UUID.randomUUID(), projectFid,
                DiskInterface.BLOCK, "us-central1-a", 100)).await().atMost(WAIT);
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token())
                .get("/v1/costs/projects/" + PROJECT + "?to=" + FAR).then().statusCode(200)
                .body("volumes.find { it.volume == '" + volume.fid() + "' }.deleted_at", equalTo(null))
                .body("volumes.find { it.volume == '" + volume.fid() + "' }.cost_per_hour_exact",
                        equalTo("$0.013699")));
        emulator.admin("POST", "/_emulator/clock/advance", "{\"seconds\":" + Duration.ofDays(30).toSeconds() + "}");
        mithril.deleteVolume(volume.fid()).await().atMost(WAIT);
        Volume gone = mithril.listVolumes(projectFid, null, true).await().atMost(WAIT).stream()
                .filter(v -> v.fid().equals(volume.fid())).findFirst().orElseThrow();
        assertThat(gone.deletedAt()).isNotNull();
        Instant created = gone.createdAt().truncatedTo(ChronoUnit.MICROS);
        Instant deleted = gone.deletedAt().truncatedTo(ChronoUnit.MICROS);
        // 100 GB × $0.10 × hours / 730, rounded once
        BigDecimal expected = BigDecimal.TEN.multiply(BigDecimal.valueOf(ChronoUnit.MICROS.between(created, deleted)))
                .divide(BigDecimal.valueOf(730L * 3_600_000_000L), 2, RoundingMode.HALF_EVEN);
        assertThat(expected).isEqualByComparingTo("9.86"); // 720 h of 730, plus the milliseconds the test took

        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(token())
                .get("/v1/costs/projects/" + PROJECT + "?to=" + FAR).then().statusCode(200)
                .body("volumes.find { it.volume == '" + volume.fid() + "' }.deleted_at", notNullValue()));
        JsonPath view = given().auth().oauth2(token()).get("/v1/costs/projects/" + PROJECT + "?to=" + FAR)
                .then().statusCode(200).extract().jsonPath();
        assertThat(view.getLong("storage_cost_cents")).isEqualTo(expected.movePointRight(2).longValueExact());
        assertThat(view.getLong("compute_cost_cents")).isZero();
        assertThat(view.getLong("total_cost_cents")).isEqualTo(view.getLong("storage_cost_cents"));
        assertThat(Instant.parse(view.getString("volumes[0].deleted_at"))).isEqualTo(deleted);
        JsonPath byType = given().auth().oauth2(token())
                .get("/v1/costs/projects/" + PROJECT + "?group_by=instance_type&to=" + FAR).then().statusCode(200)
                .extract().jsonPath();
        assertThat(byType.getLong("groups.find { it.key == 'storage' }.total_cost_cents"))
                .isEqualTo(expected.movePointRight(2).longValueExact());

        // ---- the chart: valid SVG, a spend series that rises to the total, the budget's line
        String svg = given().auth().oauth2(token())
                .get("/v1/costs/projects/" + PROJECT + "/chart.svg?period=total&from=" + created.minus(Duration.ofDays(1))
                        + "&to=" + deleted.plus(Duration.ofDays(1)))
                .then().statusCode(200).contentType("image/svg+xml").extract().asString();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        Element root = doc.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        Element spend = byId(doc, "polyline", "spend").orElseThrow();
        String[] points = spend.getAttribute("points").split(" ");
        assertThat(points).hasSize(61);
        double firstY = Double.parseDouble(points[0].split(",")[1]);
        double lastY = Double.parseDouble(points[60].split(",")[1]);
        assertThat(lastY).isLessThan(firstY); // higher on the page: more spent
        Element budget = byId(doc, "line", "budget").orElseThrow();
        assertThat(Double.parseDouble(budget.getAttribute("y1"))).isLessThan(lastY); // $50 is above ~$9.86
        assertThat(svg).contains("total budget $50.00").contains("$" + expected.toPlainString() + " spent");

        // ---- a running task: ProjectCostUpdated with its burn rate, and the gauges
        ConsumerTask<String, byte[]> updates = companion.consume(Serdes.String(), Serdes.ByteArray())
                .withGroupId("test-" + UUID.randomUUID()).withOffsetReset(OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.COST_UPDATES);
        String task = "task-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Instant started = Instant.now().minus(Duration.ofHours(1));
        companion.produce(Serdes.String(), Serdes.ByteArray()).fromRecords(CloudEventRecords.toProducerRecord(
                Topics.TASK_STATUS, new TaskStatusChanged(task, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING,
                        TransitionReason.ALLOCATED, started, started,
                        List.of(new InstanceInfo("inst_" + task, 0, "STATUS_RUNNING", "10.0.0.1", 22)),
                        Money.parse("$3.00"), 1, "bid_" + task, "us-central1-a", "a100-80gb.sxm.1x", 0, null),
                "/flow/status-poller", UUID.randomUUID().toString())).awaitCompletion(WAIT);
        ProjectCostUpdated update = await().atMost(WAIT).until(() -> updates.getRecords().stream()
                .map(CloudEventRecords::fromRecord).flatMap(Optional::stream)
                .filter(e -> e instanceof ProjectCostUpdated p && p.project().equals(PROJECT)
                        && p.burnRatePerHour().equals(Money.parse("$3.00")))
                .map(ProjectCostUpdated.class::cast).reduce((a, b) -> b).orElse(null), u -> u != null);
        updates.close();
        // the volume is deleted: the burn rate is the running task's $3.00/h alone
        assertThat(update.total()).isGreaterThanOrEqualTo(Money.parse("$3.00"));
        assertThat(update.periodStart()).isEqualTo(Instant.now().atZone(java.time.ZoneOffset.UTC).toLocalDate()
                .withDayOfMonth(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());

        // every project's spend is in /q/metrics: for the platform operator's token only (ProjectAccess)
        given().get("/q/metrics").then().statusCode(401);
        given().auth().oauth2(DevJwt.shared().adminToken("root", List.of(PROJECT))).get("/q/metrics")
                .then().statusCode(404); // the platform's forbidden answer
        String operator = DevJwt.shared().operatorToken("prometheus");
        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = given().auth().oauth2(operator).get("/q/metrics").then().statusCode(200).extract()
                    .asString();
            assertThat(metrics).contains(
                    "flow_cost_project_burn_rate{project=\"flow-other\",service=\"cost-accountant\"} 3.0");
            assertThat(metrics).containsPattern(
                    "flow_cost_project_spend\\{project=\"flow-other\",service=\"cost-accountant\"} [1-9]");
            assertThat(metrics).containsPattern("flow_cost_budget_utilisation\\{[^}]*project=\"flow-other\"[^}]*} 0\\.[0-9]*[1-9]");
            // with a budget, a status event and a ledger batch behind us, every metric the alerts about this
            // service read is exposed (k8s/monitoring/prometheus-rules.yaml)
            assertThat(PrometheusRules.unexposed("cost-accountant", metrics)).isEmpty();
        });
    }

    private static Optional<Element> byId(Document doc, String tag, String id) {
        var nodes = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (id.equals(e.getAttribute("id"))) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

}
