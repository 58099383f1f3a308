package dev.flow.submitter.service;

import dev.flow.model.task.ShellQuoting;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The small Python program an invocation's task runs ({@code invocation/runner.py}): it reads the module source and
 * the JSON arguments from the environment, calls the function and prints one {@link #MARKER} line with the result
 * or the error. The task's command is {@code python3 -c '<runner>'}: the runner is this service's own constant
 * text, and the user's values travel only as env values, which the startup script writes as single-quoted words.
 */
public final class InvocationRunner {

    /** Starts the one line of the task's stdout that carries the outcome, followed by a space and ASCII JSON. */
    public static final String MARKER = "__FLOW_INVOCATION_RESULT__";
    public static final String ENV_MODULE = "FLOW_INVOKE_MODULE";
    public static final String ENV_FUNCTION = "FLOW_INVOKE_FUNCTION";
    public static final String ENV_SOURCE = "FLOW_INVOKE_SOURCE";
    public static final String ENV_CALL = "FLOW_INVOKE_CALL";
    public static final String SOURCE = load();
    /** The task's command. */
    public static final String COMMAND = "python3 -c " + ShellQuoting.quote(SOURCE);

    private InvocationRunner() {
    }

    private static String load() {
        try (InputStream in = InvocationRunner.class.getResourceAsStream("/invocation/runner.py")) {
            if (in == null) {
                throw new IllegalStateException("invocation/runner.py is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
