package dev.flow.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * {@code ~/.flow/config.yaml} as written: top-level settings, named {@code contexts} (each a map of the same keys) and
 * the {@code current_context}. See {@link FlowConfig} for the keys.
 */
public final class ConfigFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final Path path;
    private final ObjectNode root;

    private ConfigFile(Path path, ObjectNode root) {
        this.path = path;
        this.root = root;
    }

    /** The file, or an empty one when it does not exist. */
    public static ConfigFile read(Path path) {
        if (path == null || !Files.isRegularFile(path)) {
            return new ConfigFile(path, JsonNodeFactory.instance.objectNode());
        }
        try {
            JsonNode root = YAML.readTree(path.toFile());
            if (root == null || root.isMissingNode() || root.isNull()) {
                return new ConfigFile(path, JsonNodeFactory.instance.objectNode());
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException(path + " is not a YAML map of settings");
            }
            return new ConfigFile(path, (ObjectNode) root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " (YAML expected)", e);
        }
    }

    public Optional<String> currentContext() {
        return Optional.ofNullable(root.get("current_context")).filter(JsonNode::isTextual).map(JsonNode::asText)
                .filter(s -> !s.isBlank());
    }

    /** The contexts by name, each as its flat settings. */
    public Map<String, Map<String, String>> contexts() {
        Map<String, Map<String, String>> contexts = new LinkedHashMap<>();
        JsonNode node = root.path("contexts");
        if (node.isObject()) {
            node.properties().forEach(e -> contexts.put(e.getKey(), flatten(e.getValue())));
        }
        return contexts;
    }

    /**
     * The settings in effect: the top-level keys, overridden by those of context {@code name} (when null: the
     * {@code current_context}, if any).
     *
     * @throws IllegalArgumentException when the named context does not exist
     */
    public Map<String, String> settings(String name) {
        Map<String, String> settings = flatten(root);
        Optional<String> context = Optional.ofNullable(name).or(this::currentContext);
        if (context.isPresent()) {
            Map<String, String> values = contexts().get(context.get());
            if (values == null) {
                throw new IllegalArgumentException("no context \"" + context.get() + "\" in " + path + " (known: "
                        + (contexts().isEmpty() ? "none" : String.join(", ", contexts().keySet()))
                        + "); add it under `contexts:` or pick one with `flow config use-context NAME`");
            }
            if (values.containsKey("token_file") && !values.containsKey("token")) {
                settings.remove("token"); // the context's own token file, not the top-level token
            }
            settings.putAll(values);
        }
        return settings;
    }

    /** Makes {@code name} the current context and writes the file back (YAML; comments are not kept). */
    public void useContext(String name) {
        if (!contexts().containsKey(name)) {
            throw new IllegalArgumentException("no context \"" + name + "\" in " + path + " (known: "
                    + (contexts().isEmpty() ? "none" : String.join(", ", contexts().keySet())) + ")");
        }
        root.put("current_context", name);
        try {
            Files.writeString(path, YAML.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> values = new LinkedHashMap<>();
        if (!node.isObject()) {
            return values;
        }
        node.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(i -> items.add(i.asText()));
                values.put(e.getKey(), String.join(",", items));
            } else if (v.isValueNode() && !v.isNull()) {
                values.put(e.getKey(), v.asText());
            }
        });
        values.remove("current_context");
        return values;
    }
}
