package dev.flow.emulator.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Splits a command line into words like a POSIX shell would (quotes and backslashes), for the built-in commands. */
final class ShellWords {

    private ShellWords() {
    }

    /** The words, or empty when the line uses shell syntax (pipes, lists, substitutions) that needs a real shell. */
    static Optional<List<String>> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    current.append(line.charAt(++i));
                } else if (c == '$' || c == '`') {
                    return Optional.empty();
                } else {
                    current.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(current.toString());
                    current.setLength(0);
                    inWord = false;
                }
            } else if ("|;&<()`$".indexOf(c) >= 0 && !isRedirection(line, i)) {
                return Optional.empty();
            } else {
                current.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            return Optional.empty();
        }
        if (inWord) {
            words.add(current.toString());
        }
        return Optional.of(words);
    }

    /** One command of a list and the operator before it ({@code null}, {@code ;}, {@code &&}, {@code ||}). */
    record Segment(String operator, String text) {
    }

    /**
     * Splits a command list at top-level {@code ;}, {@code &&} and {@code ||} (outside quotes), so fallbacks such as
     * {@code docker logs main --tail 100 || tail -n 100 /var/log/...} work with the built-in docker. Empty when the
     * line has pipes, background jobs, subshells or substitutions.
     */
    static Optional<List<Segment>> splitList(String line) {
        List<Segment> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        String operator = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    current.append(c);
                    c = line.charAt(++i);
                }
                current.append(c);
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                current.append(c);
            } else if (c == '\\' && i + 1 < line.length()) {
                current.append(c).append(line.charAt(++i));
            } else if (c == ';' || line.startsWith("&&", i) || line.startsWith("||", i)) {
                segments.add(new Segment(operator, current.toString().trim()));
                current.setLength(0);
                operator = c == ';' ? ";" : line.substring(i, i + 2);
                i += c == ';' ? 0 : 1;
            } else if (c == '|' || "()`".indexOf(c) >= 0 || (c == '$' && i + 1 < line.length() && line.charAt(i + 1) == '(')
                    || (c == '&' && !isRedirection(line, i) && !line.startsWith(">&", i - 1))) {
                return Optional.empty();
            } else {
                current.append(c);
            }
        }
        if (quote != 0) {
            return Optional.empty();
        }
        segments.add(new Segment(operator, current.toString().trim()));
        if (segments.stream().anyMatch(seg -> seg.text().isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(segments);
    }

    /** {@code 2>&1} is the one use of {@code &} the built-ins understand. */
    private static boolean isRedirection(String line, int i) {
        return line.charAt(i) == '&' && i >= 2 && line.startsWith("2>&1", i - 2);
    }
}
