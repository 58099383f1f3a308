package dev.flow.model.task;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every quoted value, read back by a real bash, is exactly the value: nothing expands, nothing runs. */
class ShellQuotingTest {

    static final List<String> HOSTILE = List.of(
            "", " ", "plain", "it's", "'", "''", "'\\''", "\"double\"", "$HOME", "${PATH}", "$(touch /tmp/pwned)",
            "`id`", "a\nb", "line1\nline2\n", "\n", "back\\slash\\", "tab\tsep", "semi;colon && rm -rf / || true",
            "glob * ? [a-z]", "~root", "!history !!", "héllo wörld ✓ 日本語 🚀", "-n", "--", "a'b\"c$d`e\\f",
            "\r\n", "end with quote'", "'start with quote", "# not a comment", "%s %d", "\u00a0nbsp\u2028ls");

    @Test
    void hostileValuesSurviveBashExactly() throws Exception {
        for (String value : HOSTILE) {
            assertThat(echoThroughBash(value)).as("value %s", value.replace("\n", "\\n")).isEqualTo(value);
        }
    }

    @Test
    void randomValuesFromAHostileAlphabetSurviveBash() throws Exception {
        String alphabet = "ab '\"$`\\\n\t;&|<>(){}[]*?!#~%=é✓🚀-";
        int[] codePoints = alphabet.codePoints().toArray();
        Random random = new Random(20261129);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(24);
            for (int j = 0; j < length; j++) {
                s.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            values.add(s.toString());
        }
        // one bash for all: each value printed NUL-terminated
        StringBuilder script = new StringBuilder();
        values.forEach(v -> script.append("printf '%s\\0' ").append(ShellQuoting.quote(v)).append('\n'));
        String out = runBash(script.toString());
        assertThat(out.split("\0", -1)).hasSize(values.size() + 1);
        List<String> read = List.of(out.split("\0", -1)).subList(0, values.size());
        assertThat(read).containsExactlyElementsOf(values);
    }

    @Test
    void quotedValuesAreOneWordInACommandLine() throws Exception {
        String out = runBash("set -- " + ShellQuoting.quote("a b") + " " + ShellQuoting.quote("c\nd") + "\n"
                + "printf '%s|' \"$#\" \"$@\"");
        assertThat(out).isEqualTo("2|a b|c\nd|");
    }

    @Test
    void nulCannotBeQuoted() {
        assertThatThrownBy(() -> ShellQuoting.quote("a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUL");
    }

    static String echoThroughBash(String value) throws Exception {
        return runBash("printf '%s' " + ShellQuoting.quote(value));
    }

    /** Runs a script with a real bash (script on stdin, so no quoting of our own is involved) and returns stdout. */
    static String runBash(String script) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-s").redirectErrorStream(false).start();
        bash.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        bash.getOutputStream().close();
        String out = read(bash.getInputStream());
        String err = read(bash.getErrorStream());
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("bash stderr: %s", err).isZero();
        return out;
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
