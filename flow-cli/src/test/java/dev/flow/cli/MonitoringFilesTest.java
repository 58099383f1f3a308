package dev.flow.cli;

import static dev.flow.cli.DeploymentFilesTest.ROOT;
import static dev.flow.cli.DeploymentFilesTest.JSON;
import static dev.flow.cli.DeploymentFilesTest.YAML;
import static dev.flow.cli.DeploymentFilesTest.SERVICES;
import static dev.flow.cli.DeploymentFilesTest.manifests;
import static dev.flow.cli.DeploymentFilesTest.documents;

import static org.assertj.core.api.Assertions.assertThat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.flow.devstack.PrometheusRules;
import dev.flow.model.event.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The operator kit under {@code k8s/monitoring/} and {@code k8s/grafana/} (Prometheus Operator CRDs and a Grafana
 * dashboard), checked by structure and against the Services they scrape; whether the alerts read metrics the
 * services really expose is checked by each service's MetricsExposedTest.
 */
class MonitoringFilesTest {

    @Test
    void theServiceMonitorScrapesEveryServicesMetricsPort() throws IOException {
        List<JsonNode> docs = documents(ROOT.resolve("k8s/monitoring/service-monitor.yaml"));
        assertThat(docs).hasSize(1);
        JsonNode monitor = docs.getFirst();
        assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.path("kind").asText()).isEqualTo("ServiceMonitor");
        assertThat(fieldNames(monitor)).containsExactlyInAnyOrder("apiVersion", "kind", "metadata", "spec");
        assertThat(fieldNames(monitor.path("spec"))).isSubsetOf("selector", "namespaceSelector", "endpoints",
                "jobLabel", "targetLabels", "podTargetLabels", "sampleLimit");
        Map<String, String> selector = YAML.convertValue(monitor.path("spec").path("selector").path("matchLabels"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
        assertThat(selector).isNotEmpty();
        List<Service> services = manifests().stream().filter(Service.class::isInstance).map(Service.class::cast)
                .toList();
        assertThat(services).extracting(s -> s.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(SERVICES);
        for (JsonNode endpoint : monitor.path("spec").path("endpoints")) {
            assertThat(fieldNames(endpoint)).isSubsetOf("port", "path", "interval", "scrapeTimeout", "scheme",
                    "honorLabels", "relabelings", "metricRelabelings");
            assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
            for (Service s : services) {
                // every service is selected, and has the port the endpoint names
                assertThat(s.getMetadata().getLabels()).as(s.getMetadata().getName()).containsAllEntriesOf(selector);
                assertThat(s.getSpec().getPorts()).as(s.getMetadata().getName())
                        .anyMatch(port -> endpoint.path("port").asText().equals(port.getName()));
            }
        }
    }

    @Test
    void theAlertsAreWellFormedAndNameTheServicesTheyWatch() throws IOException {
        List<JsonNode> docs = documents(ROOT.resolve("k8s/monitoring/prometheus-rules.yaml"));
        assertThat(docs).hasSize(1);
        JsonNode rules = docs.getFirst();
        assertThat(rules.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rules.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(fieldNames(rules.path("spec"))).containsExactly("groups");
        for (JsonNode group : rules.path("spec").path("groups")) {
            assertThat(fieldNames(group)).isSubsetOf("name", "interval", "rules");
            for (JsonNode rule : group.path("rules")) {
                assertThat(fieldNames(rule)).isSubsetOf("alert", "record", "expr", "for", "labels", "annotations");
                assertThat(rule.path("labels").path("severity").asText()).isIn("warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
            }
        }
        List<PrometheusRules.Rule> alerts = PrometheusRules.alerts(ROOT.resolve("k8s/monitoring/prometheus-rules.yaml"));
        assertThat(alerts).extracting(PrometheusRules.Rule::alert).contains("FlowKafkaConsumerLagHigh",
                "FlowDeadLetters", "FlowOutboxStuck", "FlowPollCycleOverInterval", "FlowBudgetExhausted",
                "FlowLedgerLagging");
        for (PrometheusRules.Rule alert : alerts) {
            assertThat(alert.metrics()).as(alert.alert()).isNotEmpty()
                    .allSatisfy(m -> assertThat(m).matches("(flow|kafka)_[a-z0-9_]+"));
            alert.service().ifPresent(s -> assertThat(SERVICES).as(alert.alert()).contains(s));
        }
        // every service has alerts of its own, so each MetricsExposedTest checks something beyond the shared ones
        assertThat(alerts.stream().flatMap(a -> a.service().stream()).distinct())
                .containsExactlyInAnyOrder("submitter-service", "status-poller", "cost-accountant");
    }

    @Test
    void theMetricNameTokenizerSkipsFunctionsLabelsAndDurations() {
        assertThat(PrometheusRules.metricNames("sum by (service, topic) (increase(flow_x_total{reason!=\"none\", "
                + "topic=~\"a|b\"}[10m] offset 5m)) > on (pod) group_left flow_y_seconds_max * 1e3"))
                .containsExactly("flow_x_total", "flow_y_seconds_max");
        assertThat(PrometheusRules.metricNames("histogram_quantile(0.99, rate(flow_z_bucket[5m])) > bool 2 or up"))
                .containsExactly("flow_z_bucket", "up");
        assertThat(PrometheusRules.exposedNames("""
                # HELP flow_a_total A
                # TYPE flow_a_total counter
                flow_a_total{service="s"} 1.0
                flow_b 2.0
                """)).containsExactly("flow_a_total", "flow_b");
    }

    @Test
    void theGrafanaDashboardIsGeneratedFromAValidJsonFile() throws IOException {
        JsonNode kustomization = YAML.readTree(ROOT.resolve("k8s/kustomization.yaml").toFile());
        JsonNode generator = kustomization.path("configMapGenerator").get(0);
        assertThat(generator.path("options").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        Path file = ROOT.resolve("k8s").resolve(generator.path("files").get(0).asText());
        JsonNode dashboard = JSON.readTree(file.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("flow-platform");
        assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
            panel.path("targets").forEach(t -> assertThat(PrometheusRules.metricNames(t.path("expr").asText()))
                    .as(panel.path("title").asText()).isNotEmpty()
                    .allSatisfy(m -> assertThat(m).matches("(flow|kafka)_[a-z0-9_]+")));
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
