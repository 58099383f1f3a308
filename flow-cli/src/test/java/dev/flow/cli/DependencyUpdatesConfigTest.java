package dev.flow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * renovate.json keeps dependencies current in groups (Quarkus, Kafka, test libraries, Maven plugins). A group whose
 * names match nothing the build uses would silently stop grouping, and a Quarkus rule that no longer admits the
 * version the build is on would propose nothing: both are checked against the poms and the deployment files.
 */
class DependencyUpdatesConfigTest {

    private static final Path ROOT = Path.of(System.getProperty("flow.repo.root", ".."));
    private static final Pattern COORDINATES = Pattern.compile(
            "<groupId>([^<$]+)</groupId>\\s*<artifactId>([^<$]+)</artifactId>");
    private static final Pattern IMAGE = Pattern.compile("image:\\s*\"?([\\w./-]+):");

    @Test
    void everyGroupMatchesDependenciesTheBuildUses() throws IOException {
        JsonNode config = new ObjectMapper().readTree(ROOT.resolve("renovate.json").toFile());
        Set<String> used = dependencyNames();
        assertThat(used).contains("io.quarkus:quarkus-bom", "org.apache.kafka:kafka-clients");

        List<String> groups = new ArrayList<>();
        for (JsonNode rule : config.path("packageRules")) {
            String group = rule.path("groupName").asText();
            groups.add(group);
            for (JsonNode pattern : rule.path("matchPackageNames")) {
                Pattern glob = glob(pattern.asText());
                if (pattern.asText().contains(":")) {
                    // Maven coordinates: each pattern stands for something the build really depends on, or for the
                    // one family it is grouped with (io.quarkus.platform, Strimzi's images) named for when it comes
                    assertThat(used.stream().anyMatch(name -> glob.matcher(name).matches())
                            || pattern.asText().startsWith("io.quarkus.platform:")
                            || pattern.asText().startsWith("io.strimzi:")
                            || pattern.asText().startsWith("org.junit.platform:"))
                            .as("group %s: %s matches a dependency of the build", group, pattern.asText())
                            .isTrue();
                }
            }
        }
        assertThat(groups).contains("Quarkus", "Kafka", "test libraries");
    }

    @Test
    void theQuarkusRuleAdmitsTheVersionTheBuildIsOn() throws IOException {
        JsonNode config = new ObjectMapper().readTree(ROOT.resolve("renovate.json").toFile());
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher version = Pattern.compile("<quarkus.platform.version>([^<]+)</quarkus.platform.version>").matcher(pom);
        assertThat(version.find()).isTrue();
        JsonNode quarkus = null;
        for (JsonNode rule : config.path("packageRules")) {
            if ("Quarkus".equals(rule.path("groupName").asText())) {
                quarkus = rule;
            }
        }
        assertThat(quarkus).isNotNull();
        String allowed = quarkus.path("allowedVersions").asText();
        assertThat(allowed).startsWith("/").endsWith("/");
        assertThat(Pattern.compile(allowed.substring(1, allowed.length() - 1)).matcher(version.group(1)).find())
                .as("the LTS stream rule %s admits %s", allowed, version.group(1)).isTrue();
    }

    /** groupId:artifactId of every dependency and plugin in every pom, and the images of the deployment files. */
    private static Set<String> dependencyNames() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT, 3)) {
            for (Path file : files.filter(DependencyUpdatesConfigTest::isBuildOrDeploymentFile).toList()) {
                String text = Files.readString(file);
                Matcher coordinates = COORDINATES.matcher(text);
                while (coordinates.find()) {
                    names.add(coordinates.group(1).trim() + ":" + coordinates.group(2).trim());
                }
                Matcher image = IMAGE.matcher(text);
                while (image.find()) {
                    names.add(image.group(1));
                }
            }
        }
        // the Quarkus BOM is named through properties in the root pom
        names.add("io.quarkus:quarkus-bom");
        return names;
    }

    private static boolean isBuildOrDeploymentFile(Path file) {
        String name = file.getFileName().toString();
        return !file.toString().contains("/target/") && !file.toString().contains("/node_modules/")
                && (name.equals("pom.xml") || name.equals("docker-compose.yml"));
    }

    /** Renovate's globs for Maven names: {@code *} is any run of characters. */
    private static Pattern glob(String glob) {
        return Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
    }
}
