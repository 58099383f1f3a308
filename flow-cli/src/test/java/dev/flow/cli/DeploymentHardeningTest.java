package dev.flow.cli;

import static dev.flow.cli.DeploymentFilesTest.ROOT;
import static dev.flow.cli.DeploymentFilesTest.YAML;
import static dev.flow.cli.DeploymentFilesTest.SERVICES;
import static dev.flow.cli.DeploymentFilesTest.compose;
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
 * Issue 13's deployment hardening, checked on the manifests as {@link DeploymentFilesTest} reads them: every pod runs
 * as uid 185 without privileges on a read-only root, the platform SSH key reaches exactly the submitter and the
 * log-streamer (0440, group 185; in Compose too), default-deny NetworkPolicies select every pod with only the ports
 * each role needs, and each service is a Strimzi KafkaUser whose ACLs cover exactly its channels.
 */
class DeploymentHardeningTest {

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
            if (needed.stream().anyMatch(n -> n.startsWith("topic Read "))) {
                // a consumer parks what it can never process (service-support's DeadLetterQueue, one topic)
                needed.add("topic Write " + Topics.DEAD_LETTERS);
                needed.add("topic Describe " + Topics.DEAD_LETTERS);
            }
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
}
