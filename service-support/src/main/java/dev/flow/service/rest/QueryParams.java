package dev.flow.service.rest;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Query parameters read as text and checked here, so a bad value is a 422 naming its parameter (JAX-RS would answer
 * an unparseable {@code int} parameter with a bare 404). Values are never echoed whole.
 */
public final class QueryParams {

    /** Instants a query may name: PostgreSQL's {@code timestamptz} and the ledger arithmetic stay in range. */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    /** Characters of a query value shown back in a reason. */
    private static final int ECHO = 32;

    private QueryParams() {
    }

    /** The integer in {@code [min, max]}, {@code fallback} when absent; otherwise an error is added and null returned. */
    public static Integer intIn(String name, String text, int min, int max, Integer fallback, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException notAnInteger) {
            // reported below with the range
        }
        errors.add(new FieldError(name, "`" + echo(text) + "` is not an integer between " + min + " and " + max,
                String.valueOf(Math.max(min, Math.min(max, fallback != null ? fallback : min)))));
        return null;
    }

    /** {@code true}/{@code false} (any case), {@code fallback} when absent; otherwise an error and null. */
    public static Boolean bool(String name, String text, Boolean fallback, List<FieldError> errors) {
        if (text == null) {
            return fallback;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.parseBoolean(t);
        }
        errors.add(new FieldError(name, "`" + echo(text) + "` is not true or false", "true"));
        return null;
    }

    /** An ISO-8601 instant between {@link #EARLIEST} and {@link #LATEST}; null when absent or bad (then an error). */
    public static Instant instant(String name, String text, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            Instant value = Instant.parse(text.strip());
            if (!value.isBefore(EARLIEST) && !value.isAfter(LATEST)) {
                return value;
            }
            errors.add(new FieldError(name, "must be between " + EARLIEST + " and " + LATEST, "2026-01-02T03:04:05Z"));
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(name, "must be an ISO-8601 instant", "e.g. 2026-01-02T03:04:05Z"));
        }
        return null;
    }

    /** Throws the errors collected, if any, as one 422. */
    public static void check(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ValidationError.of(new ArrayList<>(errors));
        }
    }

    static String echo(String text) {
        String printable = text.codePoints().limit(ECHO)
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return text.length() > ECHO ? printable + "…" : printable;
    }
}
