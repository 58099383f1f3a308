package dev.flow.model.startup;

import com.fasterxml.jackson.core.JacksonException;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.json.FlowJson;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The contract between the platform's startup-script builder and the Mithril emulator (see shared-model/README.md).
 *
 * <p>The builder embeds a {@link WorkloadSpec} in the bash startup script as comment lines, so the script stays a valid
 * script for real Mithril (bash ignores comments) while the emulator, which cannot boot a VM, can read what to run:
 * <pre>
 * # &gt;&gt;&gt; flow-workload v1 &gt;&gt;&gt;
 * # eyJ0YXNrX2lkIjoi...   (base64 of the JSON, wrapped at 76 characters)
 * # &lt;&lt;&lt; flow-workload v1 &lt;&lt;&lt;
 * </pre>
 * A script longer than Mithril's 10,000-character limit is shipped as a bootstrap:
 * <pre>
 * #!/bin/bash
 * # flow-bootstrap: gzip+base64 v1
 * echo '&lt;base64 of gzip of the full script&gt;' | base64 -d | gunzip | bash
 * </pre>
 * and {@link #find(String)} looks inside it.
 */
public final class WorkloadBlock {

    public static final String BEGIN_MARKER = "# >>> flow-workload v1 >>>";
    public static final String END_MARKER = "# <<< flow-workload v1 <<<";
    public static final String BOOTSTRAP_MARKER = "# flow-bootstrap: gzip+base64 v1";
    /** Mithril rejects startup scripts longer than this (characters). */
    public static final int MITHRIL_SCRIPT_LIMIT = 10_000;

    static final int LINE_WIDTH = 76;
    private static final String LINE_PREFIX = "# ";
    private static final String SHEBANG = "#!/bin/bash";
    private static final Pattern BOOTSTRAP_LINE =
            Pattern.compile("^echo '([A-Za-z0-9+/=]*)' \\| base64 -d \\| gunzip \\| bash$");
    // A bootstrap inside a bootstrap is never produced; a small bound keeps hostile input from recursing forever.
    private static final int MAX_NESTING = 2;

    private WorkloadBlock() {
    }

    /** The comment block for {@code spec}, ending with a newline, ready to be placed in a bash script. */
    public static String encode(WorkloadSpec spec) {
        byte[] json;
        try {
            json = FlowJson.mapper().writeValueAsBytes(spec);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise workload spec of task " + spec.taskId(), e);
        }
        String base64 = Base64.getEncoder().encodeToString(json);
        StringBuilder out = new StringBuilder(base64.length() + base64.length() / LINE_WIDTH * 3 + 64);
        out.append(BEGIN_MARKER).append('\n');
        for (int i = 0; i < base64.length(); i += LINE_WIDTH) {
            out.append(LINE_PREFIX).append(base64, i, Math.min(base64.length(), i + LINE_WIDTH)).append('\n');
        }
        out.append(END_MARKER).append('\n');
        return out.toString();
    }

    /**
     * Finds and decodes the workload block in a startup script, looking inside a gzip+base64 bootstrap if the script
     * is one.
     *
     * @return empty when the script carries no block
     * @throws WorkloadBlockException when a block or bootstrap is present but malformed
     */
    public static Optional<WorkloadSpec> find(String startupScript) {
        return find(startupScript, 0);
    }

    private static Optional<WorkloadSpec> find(String script, int depth) {
        if (script == null || script.isEmpty()) {
            return Optional.empty();
        }
        // CRLF and trailing blanks come from editors and copy-paste, never from the builder: tolerate them
        List<String> lines = script.lines().map(String::stripTrailing).toList();
        int begin = lines.indexOf(BEGIN_MARKER);
        if (begin >= 0) {
            return Optional.of(decodeBlock(lines, begin));
        }
        int bootstrap = lines.indexOf(BOOTSTRAP_MARKER);
        if (bootstrap >= 0) {
            if (depth >= MAX_NESTING) {
                throw new WorkloadBlockException("flow-bootstrap nested more than " + MAX_NESTING + " levels deep");
            }
            return find(inflateBootstrap(lines, bootstrap), depth + 1);
        }
        return Optional.empty();
    }

    private static WorkloadSpec decodeBlock(List<String> lines, int begin) {
        StringBuilder base64 = new StringBuilder();
        for (int i = begin + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.equals(END_MARKER)) {
                return decodeJson(base64.toString(), begin);
            }
            if (!line.startsWith("#")) {
                throw new WorkloadBlockException("flow-workload block starting at line " + (begin + 1)
                        + " has a non-comment line " + (i + 1) + " before its end marker");
            }
            base64.append(line.substring(1).strip());
        }
        throw new WorkloadBlockException("flow-workload block starting at line " + (begin + 1)
                + " has no end marker '" + END_MARKER + "'");
    }

    private static WorkloadSpec decodeJson(String base64, int begin) {
        byte[] json;
        try {
            json = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new WorkloadBlockException("flow-workload block at line " + (begin + 1) + " is not valid base64: "
                    + e.getMessage(), e);
        }
        WorkloadSpec spec;
        try {
            spec = FlowJson.mapper().readValue(json, WorkloadSpec.class);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: the record's constructor rejects a JSON without "command".
            throw new WorkloadBlockException("flow-workload block at line " + (begin + 1)
                    + " does not hold a valid workload JSON: " + e.getMessage(), e);
        }
        if (spec == null) {
            throw new WorkloadBlockException("flow-workload block at line " + (begin + 1) + " is empty");
        }
        return spec;
    }

    private static String inflateBootstrap(List<String> lines, int marker) {
        for (int i = marker + 1; i < lines.size(); i++) {
            Matcher m = BOOTSTRAP_LINE.matcher(lines.get(i).strip());
            if (m.matches()) {
                try {
                    byte[] gzip = Base64.getDecoder().decode(m.group(1));
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                } catch (IOException | IllegalArgumentException e) {
                    throw new WorkloadBlockException("flow-bootstrap payload at line " + (i + 1)
                            + " is not base64 of gzip data: " + e.getMessage(), e);
                }
            }
        }
        throw new WorkloadBlockException("flow-bootstrap marker at line " + (marker + 1)
                + " is not followed by an \"echo '<base64>' | base64 -d | gunzip | bash\" line");
    }

    /**
     * The bootstrap form of {@code script}: a short script that decompresses and runs the full one. Used when a
     * script exceeds {@link #MITHRIL_SCRIPT_LIMIT}; the caller checks the result's length (if it is still too long
     * the workload must be shipped another way).
     */
    public static String compressToBootstrap(String script) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(script.length() / 3 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(script.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory gzip failed", e);
        }
        String payload = Base64.getEncoder().encodeToString(bytes.toByteArray());
        return SHEBANG + '\n' + BOOTSTRAP_MARKER + '\n'
                + "echo '" + payload + "' | base64 -d | gunzip | bash\n";
    }

    /**
     * {@code script} itself when it fits Mithril's limit, else its {@link #compressToBootstrap bootstrap}.
     *
     * @throws ValidationError when even the bootstrap exceeds the limit (the user's command or env is too large to
     *                         ship inside a startup script)
     */
    public static String fitToLimit(String script) {
        if (script.length() <= MITHRIL_SCRIPT_LIMIT) {
            return script;
        }
        String bootstrap = compressToBootstrap(script);
        if (bootstrap.length() > MITHRIL_SCRIPT_LIMIT) {
            throw ValidationError.of(FieldError.of("", "the startup script is " + script.length()
                    + " characters, " + bootstrap.length() + " compressed; Mithril accepts at most "
                    + MITHRIL_SCRIPT_LIMIT + ": shorten the command or env values"));
        }
        return bootstrap;
    }
}
