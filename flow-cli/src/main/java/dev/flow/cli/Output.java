package dev.flow.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.flow.model.json.FlowJson;
import dev.flow.model.status.TaskStatus;
import picocli.CommandLine.Help.Ansi;

/**
 * {@code -o table|wide|name|json|yaml}: tables for people ({@code wide} adds the columns marked wide; {@code
 * --no-headers} drops the header line), {@code name} one identifier per line for scripts, JSON and YAML (the API's
 * own snake_case documents) for programs.
 */
final class Output {

    enum Format { table, wide, name, json, yaml }

    private static final ObjectMapper JSON = FlowJson.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** A table column: header, how to read a cell from a row, and whether only {@code -o wide} shows it. */
    record Column<T>(String header, Function<T, Object> value, boolean wide) {
        static <T> Column<T> of(String header, Function<T, Object> value) {
            return new Column<>(header, value, false);
        }

        static <T> Column<T> wide(String header, Function<T, Object> value) {
            return new Column<>(header, value, true);
        }
    }

    private final PrintWriter out;
    private final Format format;
    private final Ansi ansi;
    private final boolean headers;

    Output(PrintWriter out, Format format, Ansi ansi) {
        this(out, format, ansi, true);
    }

    Output(PrintWriter out, Format format, Ansi ansi, boolean headers) {
        this.out = out;
        this.format = format;
        this.ansi = ansi;
        this.headers = headers;
    }

    Format format() {
        return format;
    }

    /** A format for people (table or wide), rather than for programs. */
    boolean isTable() {
        return format == Format.table || format == Format.wide;
    }

    Ansi ansi() {
        return ansi;
    }

    /**
     * One document (json/yaml) or, as a table, the rows with these columns; as names, each row's first column (the
     * identifier: task id, volume name, instance type...).
     */
    <T> void print(Object document, List<T> rows, List<Column<T>> columns) {
        switch (format) {
            case json -> out.println(json(document));
            case yaml -> out.print(yaml(document));
            case table -> table(rows, columns.stream().filter(c -> !c.wide()).toList());
            case wide -> table(rows, columns);
            case name -> rows.forEach(r -> out.println(cell(columns.getFirst().value().apply(r))));
        }
        out.flush();
    }

    /** A single object: json/yaml as is, a two-column key/value table otherwise. */
    void printObject(Object document, Map<String, Object> fields) {
        if (format == Format.name) {
            out.println(cell(fields.values().iterator().next()));
            out.flush();
            return;
        }
        if (!isTable()) {
            print(document, List.of(), List.of());
            return;
        }
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        fields.forEach((k, v) -> out.println(ansi.string("@|bold " + pad(k, width) + "|@") + "  " + cell(v)));
        out.flush();
    }

    <T> void table(List<T> rows, List<Column<T>> columns) {
        List<List<String>> cells = new ArrayList<>();
        for (T row : rows) {
            List<String> line = new ArrayList<>();
            for (Column<T> c : columns) {
                line.add(cell(c.value().apply(row)));
            }
            cells.add(line);
        }
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).header().length();
            for (List<String> line : cells) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            header.append(pad(columns.get(i).header(), widths[i])).append(i + 1 < columns.size() ? "  " : "");
        }
        if (headers) {
            out.println(ansi.string("@|bold " + header.toString().stripTrailing() + "|@"));
        }
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                String value = pad(line.get(i), widths[i]);
                text.append(colour(value, line.get(i))).append(i + 1 < line.size() ? "  " : "");
            }
            out.println(text.toString().stripTrailing());
        }
        if (rows.isEmpty() && headers) {
            out.println("(none)");
        }
    }

    /** A status word in its colour (only on a terminal: picocli's Ansi.AUTO). */
    String status(TaskStatus status) {
        return status == null ? "-" : colour(status.json(), status.json());
    }

    private String colour(String padded, String raw) {
        String style = switch (raw) {
            case "running", "completed", "succeeded" -> "green";
            case "pending", "paused", "preempting" -> "yellow";
            case "failed" -> "red";
            case "cancelled" -> "faint";
            default -> null;
        };
        return style == null ? padded : ansi.string("@|" + style + " " + padded + "|@");
    }

    static String json(Object document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String yaml(Object document) {
        try {
            // through JSON first, so YAML shows exactly the API's field names
            return YAML.writeValueAsString(FlowJson.mapper().valueToTree(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An instance type as the CLI prints it everywhere: shared-model's canonical form (the short name such as
     * {@code 4xa100}, the Mithril name where no short name exists such as {@code h100-80gb.sxm.1x}, or the FID);
     * a name it does not know is printed as given.
     */
    static String instanceType(String type) {
        if (type == null || type.isBlank()) {
            return null;
        }
        try {
            return dev.flow.model.instance.InstanceType.parse(type).canonical();
        } catch (dev.flow.model.error.ValidationError unknown) {
            return type;
        }
    }

    static String cell(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof List<?> list) {
            return list.isEmpty() ? "-" : String.join(",", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    static Map<String, Object> fields(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
