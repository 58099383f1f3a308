package dev.flow.model.task;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The seed's {@code command: Union[str, List[str]]}: in JSON either a string (a shell command line) or a list of
 * strings (an argv).
 */
@JsonDeserialize(using = Command.Deserializer.class)
public sealed interface Command {

    /** One bash script text equivalent to this command, for {@code bash -c}. */
    String toShellString();

    static Command of(String script) {
        return new Shell(script);
    }

    static Command of(List<String> argv) {
        return new Argv(argv);
    }

    /** A command line, run by bash as given ({@code "python train.py && echo done"}). */
    record Shell(@JsonValue String script) implements Command {

        public Shell {
            Objects.requireNonNull(script, "script");
        }

        @Override
        public String toShellString() {
            return script;
        }

        @Override
        public String toString() {
            return script;
        }
    }

    /** An argv ({@code ["python", "train.py"]}); each element is one word, whatever characters it holds. */
    record Argv(@JsonValue List<String> args) implements Command {

        public Argv {
            // List.copyOf rejects null elements, which is what an argv must not contain
            args = List.copyOf(args);
        }

        /** Each word shell-quoted (as Python's {@code shlex.quote}), joined by spaces. */
        @Override
        public String toShellString() {
            return args.stream().map(Argv::quote).collect(Collectors.joining(" "));
        }

        private static final Pattern SAFE = Pattern.compile("^[A-Za-z0-9_@%+=:,./-]+$");

        /** Quotes one word for bash: safe words as they are, anything else in single quotes. */
        public static String quote(String word) {
            if (word.isEmpty()) {
                return "''";
            }
            if (SAFE.matcher(word).matches()) {
                return word;
            }
            return ShellQuoting.singleQuoted(word);
        }

        @Override
        public String toString() {
            return args.toString();
        }
    }

    /** Reads a string as {@link Shell} and a list of strings as {@link Argv}; anything else is a type error. */
    final class Deserializer extends StdDeserializer<Command> {

        public Deserializer() {
            super(Command.class);
        }

        @Override
        public Command deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return new Shell(p.getText());
            }
            if (p.currentToken() == JsonToken.START_ARRAY) {
                List<String> args = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (t != JsonToken.VALUE_STRING) {
                        return (Command) ctxt.reportInputMismatch(Command.class,
                                "expected a string or a list of strings; the list holds a %s", describe(t));
                    }
                    args.add(p.getText());
                }
                return new Argv(args);
            }
            return (Command) ctxt.reportInputMismatch(Command.class,
                    "expected a string or a list of strings, got %s", describe(p.currentToken()));
        }

        private static String describe(JsonToken t) {
            return switch (t) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
                case VALUE_TRUE, VALUE_FALSE -> "boolean";
                case VALUE_NULL -> "null";
                case START_OBJECT -> "object";
                case START_ARRAY -> "list";
                default -> String.valueOf(t);
            };
        }
    }
}
