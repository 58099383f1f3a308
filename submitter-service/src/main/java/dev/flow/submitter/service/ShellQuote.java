package dev.flow.submitter.service;

/**
 * The one way a user-supplied value enters the startup script: a single-quoted bash word. Inside single quotes bash
 * interprets nothing ({@code $()}, backticks, {@code \}, newlines are literal); a single quote itself is written as
 * {@code '\''} (close, escaped quote, reopen). Every value is quoted, even "safe" ones, so there is no
 * classification to get wrong.
 */
public final class ShellQuote {

    private ShellQuote() {
    }

    /**
     * @throws IllegalArgumentException for a NUL character, which no bash word (nor C string) can carry
     */
    public static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("contains a NUL character, which a shell value cannot hold");
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
