package dev.flow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import picocli.CommandLine.Help.Ansi;

/** One in-process run of {@code flow} against the local platform: exit code, stdout and stderr. */
record CliRun(int exitCode, String out, String err) {

    static CliRun flow(String... args) {
        return flow(LocalPlatform.env(), args);
    }

    static CliRun flow(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** With the caller's writers (a test that reads the output while the command still runs). */
    static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        // no ~/.flow/config.yaml: only what the test gives
        return FlowCli.run(args, new HashMap<>(env), Path.of("/nonexistent/flow-config.yaml"), out, err, Ansi.OFF);
    }

    /** A StringWriter safe to read while another thread writes. */
    static final class Shared extends Writer {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            text.append(buf, off, len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public synchronized String toString() {
            return text.toString();
        }
    }
}
