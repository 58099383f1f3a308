package dev.flow.model.task;

import dev.flow.model.json.FlowJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
            "train.py           | train.py",
            "--lr=0.1           | --lr=0.1",
            "^^                 | ''",
            "two words          | 'two words'",
            "it's               | 'it'\"'\"'s'",
            "$HOME              | '$HOME'",
            "a;rm -rf /         | 'a;rm -rf /'",
            "`id`               | '`id`'",
    })
    void quotesLikeShlex(String word, String quoted) {
        assertThat(Command.Argv.quote(word)).isEqualTo(quoted);
    }

    /** The real check: bash splits the quoted string back into exactly the original words. */
    @Test
    void bashReadsTheQuotedArgvBackVerbatim() throws Exception {
        List<String> argv = List.of("printf", "%s\\n", "plain", "two words", "it's", "$HOME", "`id`", "a\"b", "",
                "new\nline", "*", "ünï");
        String script = Command.of(argv).toShellString();

        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isZero();
        List<String> expected = new ArrayList<>(argv.subList(2, argv.size()));
        assertThat(out).isEqualTo(String.join("\n", expected) + "\n");
    }

    @Test
    void shellCommandIsUsedAsIs() {
        assertThat(Command.of("python train.py && echo 'done'").toShellString())
                .isEqualTo("python train.py && echo 'done'");
    }

    @Test
    void jsonShapeFollowsTheSeedUnion() throws IOException {
        var mapper = FlowJson.mapper();

        assertThat(mapper.writeValueAsString(Command.of("python train.py"))).isEqualTo("\"python train.py\"");
        assertThat(mapper.writeValueAsString(Command.of(List.of("python", "train.py"))))
                .isEqualTo("[\"python\",\"train.py\"]");
        assertThat(mapper.readValue("\"x\"", Command.class)).isEqualTo(Command.of("x"));
        assertThat(mapper.readValue("[\"x\",\"y\"]", Command.class)).isEqualTo(Command.of(List.of("x", "y")));
    }
}
