package dev.flow.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks a response of the emulator against the Mithril OpenAPI 3.1 document (read from the shared directory beside
 * the repository, never copied): the path and method must exist, the status must be declared (or be a FastAPI error
 * {@code {"detail": "..."}} for the undeclared error codes), and the body must match the declared schema.
 *
 * <p>Schemas are checked by networknt json-schema-validator with the OpenAPI 3.1 dialect. The document marks optional
 * values with the OpenAPI 3.0 keyword {@code nullable: true}, which 3.1 dropped; the dialect is extended with that
 * keyword so a {@code null} is accepted exactly where the document says so (and nowhere else).
 */
public final class OpenApiContract {

    private static final String BASE = "https://mithril.local/mithril-compute-openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile OpenApiContract instance;

    private final JsonNode spec;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final List<Template> templates = new ArrayList<>();
    private final Schema errorDetail;

    private record Template(String path, Pattern regex, int literalSegments) {
    }

    private OpenApiContract(Path file) throws IOException {
        String text = Files.readString(file);
        this.spec = JSON.readTree(text);
        Dialect dialect = Dialect.builder(Dialects.getOpenApi31()).keyword(new NonValidationKeyword("nullable"))
                // the document root is loaded as a schema resource too; its OpenAPI fields are not schema keywords
                .keywords(java.util.stream.Stream.of("openapi", "info", "servers", "paths", "components", "security",
                        "tags").map(NonValidationKeyword::new).toList())
                .build();
        this.registry = SchemaRegistry.withDialect(dialect, builder -> builder.schemas(Map.of(BASE, text)));
        for (Iterator<String> it = spec.get("paths").fieldNames(); it.hasNext(); ) {
            String path = it.next();
            String regex = "^" + path.replaceAll("\\{[^/]+}", "[^/]+") + "$";
            int literal = (int) java.util.Arrays.stream(path.split("/")).filter(s -> !s.startsWith("{")).count();
            templates.add(new Template(path, Pattern.compile(regex), literal));
        }
        this.errorDetail = registry.getSchema(JSON.readTree(
                "{\"type\":\"object\",\"required\":[\"detail\"],\"properties\":{\"detail\":{\"type\":\"string\"}}}"));
    }

    public static OpenApiContract get() {
        if (instance == null) {
            synchronized (OpenApiContract.class) {
                if (instance == null) {
                    String location = System.getProperty("mithril.openapi.spec");
                    if (location == null) {
                        throw new IllegalStateException("system property mithril.openapi.spec is not set (surefire sets it)");
                    }
                    try {
                        instance = new OpenApiContract(Path.of(location).toAbsolutePath().normalize());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the Mithril OpenAPI document " + location, e);
                    }
                }
            }
        }
        return instance;
    }

    /** The spec path template for a request path; literal segments win over parameters. */
    public Optional<String> template(String path) {
        return templates.stream().filter(t -> t.regex().matcher(path).matches())
                .max(java.util.Comparator.comparingInt(Template::literalSegments)).map(Template::path);
    }

    /** Every violation, empty when the response conforms. */
    public List<String> violations(String method, String path, int status, String contentType, String body) {
        List<String> problems = new ArrayList<>();
        Optional<String> template = template(path);
        if (template.isEmpty()) {
            problems.add("path " + path + " is not in the spec");
            return problems;
        }
        JsonNode operation = spec.get("paths").get(template.get()).get(method.toLowerCase());
        if (operation == null) {
            if (status != 405) {
                problems.add(method + " " + template.get() + " is not in the spec but answered " + status);
            }
            return problems;
        }
        JsonNode response = operation.get("responses").get(Integer.toString(status));
        if (response == null) {
            // FastAPI's default error body for the codes the spec does not list (401, 404, 409, 429, 5xx...)
            if (status < 400) {
                problems.add(method + " " + template.get() + " answered undeclared status " + status);
                return problems;
            }
            validate(errorDetail, body, problems, method + " " + template.get() + " " + status);
            return problems;
        }
        JsonNode content = response.get("content");
        if (content == null || !content.has("application/json")) {
            if (status >= 400) {
                // an error the spec lists without a schema (e.g. 404/409/501 of PATCH /v2/instances): FastAPI's detail
                validate(errorDetail, body, problems, method + " " + template.get() + " " + status);
            } else if (body != null && !body.isEmpty()) {
                problems.add(method + " " + template.get() + " " + status + " must have no body, got: " + body);
            }
            return problems;
        }
        if (contentType == null || !contentType.startsWith("application/json")) {
            problems.add(method + " " + template.get() + " " + status + " content type " + contentType);
        }
        String pointer = "#/paths/" + escape(template.get()) + "/" + method.toLowerCase() + "/responses/" + status
                + "/content/application~1json/schema";
        Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(BASE + p)));
        validate(schema, body, problems, method + " " + template.get() + " " + status);
        return problems;
    }

    private static void validate(Schema schema, String body, List<String> problems, String where) {
        if (body == null || body.isEmpty()) {
            problems.add(where + ": empty body");
            return;
        }
        List<Error> errors = schema.validate(body, InputFormat.JSON);
        for (Error e : errors) {
            problems.add(where + ": " + e);
        }
    }

    private static String escape(String path) {
        return path.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D");
    }
}
