package dev.flow.model.task;

/**
 * The one way a value becomes a bash word, for the startup script and for argv commands: a single-quoted word.
 * Inside single quotes bash interprets nothing ({@code $()}, backticks, {@code \}, newlines are literal); a single
 * quote itself is written as {@code '"'"'} (close, a double-quoted quote, reopen), as Python's {@code shlex.quote}.
 */
public final class ShellQuoting {

    private ShellQuoting() {
    }

    /**
     * The value as one single-quoted bash word, whatever it holds.
     *
     * @throws IllegalArgumentException for a NUL character, which no bash word (nor C string) can carry
     */
    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("contains a NUL character, which a shell value cannot hold");
        }
        return singleQuoted(value);
    }

    /** The escaping alone: for callers whose result is checked for NUL when it is quoted as a whole. */
    static String singleQuoted(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }
}
