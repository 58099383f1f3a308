package dev.flow.emulator.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a JSON request body field by field and collects every problem as a FastAPI-style 422 entry, so the emulator
 * answers malformed requests exactly in the shape clients of the real API handle.
 */
public final class Body {

    private final JsonNode root;
    private final List<ValidationFailure.Detail> errors = new ArrayList<>();

    public Body(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ValidationFailure(List.of(new ValidationFailure.Detail(List.of("body"), "Field required", "missing")));
        }
        if (!root.isObject()) {
            throw new ValidationFailure(List.of(new ValidationFailure.Detail(List.of("body"),
                    "Input should be a valid dictionary or object to extract fields from", "model_attributes_type")));
        }
        this.root = root;
    }


    public boolean has(String... path) {
        JsonNode node = node(path);
        return node != null && !node.isNull();
    }

    private JsonNode node(String... path) {
        JsonNode node = root;
        for (String p : path) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(p);
        }
        return node;
    }

    private static List<Object> loc(String... path) {
        List<Object> loc = new ArrayList<>();
        loc.add("body");
        loc.addAll(List.of(path));
        return loc;
    }

    public void error(String msg, String type, String... path) {
        errors.add(new ValidationFailure.Detail(loc(path), msg, type));
    }

    public String string(boolean required, String... path) {
        JsonNode node = node(path);
        if (node == null || node.isNull()) {
            if (required) {
                error("Field required", "missing", path);
            }
            return null;
        }
        if (!node.isTextual()) {
            error("Input should be a valid string", "string_type", path);
            return null;
        }
        return node.textValue();
    }

    public Integer integer(boolean required, String... path) {
        JsonNode node = node(path);
        if (node == null || node.isNull()) {
            if (required) {
                error("Field required", "missing", path);
            }
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            error("Input should be a valid integer", "int_type", path);
            return null;
        }
        return node.intValue();
    }

    public Boolean bool(boolean required, String... path) {
        JsonNode node = node(path);
        if (node == null || node.isNull()) {
            if (required) {
                error("Field required", "missing", path);
            }
            return null;
        }
        if (!node.isBoolean()) {
            error("Input should be a valid boolean", "bool_type", path);
            return null;
        }
        return node.booleanValue();
    }

    public List<String> strings(boolean required, String... path) {
        JsonNode node = node(path);
        if (node == null || node.isNull()) {
            if (required) {
                error("Field required", "missing", path);
            }
            return null;
        }
        if (!node.isArray()) {
            error("Input should be a valid list", "list_type", path);
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                List<Object> loc = loc(path);
                loc.add(i);
                errors.add(new ValidationFailure.Detail(loc, "Input should be a valid string", "string_type"));
            } else {
                out.add(node.get(i).textValue());
            }
        }
        return out;
    }

    public boolean isObject(boolean required, String... path) {
        JsonNode node = node(path);
        if (node == null || node.isNull()) {
            if (required) {
                error("Field required", "missing", path);
            }
            return false;
        }
        if (!node.isObject()) {
            error("Input should be a valid dictionary or object to extract fields from", "model_attributes_type", path);
            return false;
        }
        return true;
    }

    public String oneOf(Set<String> allowed, boolean required, String... path) {
        String value = string(required, path);
        if (value != null && !allowed.contains(value)) {
            error("Input should be " + String.join(" or ", allowed.stream().sorted().map(a -> "'" + a + "'").toList()),
                    "enum", path);
            return null;
        }
        return value;
    }

    public void failIfErrors() {
        if (!errors.isEmpty()) {
            throw new ValidationFailure(errors);
        }
    }
}
