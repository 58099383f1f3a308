package dev.flow.submitter.rest;

import dev.flow.model.error.FieldError;

import java.util.List;

/**
 * Query parameters read as text and checked here, so a bad value is a 422 naming its parameter (JAX-RS would answer
 * an unparseable {@code int} parameter with a bare 404).
 */
final class QueryParams {

    private QueryParams() {
    }

    /** The integer in {@code [min, max]}, {@code fallback} when absent; otherwise an error is added and null returned. */
    static Integer intIn(String name, String text, int min, int max, Integer fallback, List<FieldError> errors) {
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
        errors.add(new FieldError(name, "`" + text + "` is not an integer between " + min + " and " + max,
                String.valueOf(Math.max(min, Math.min(max, fallback != null ? fallback : min)))));
        return null;
    }
}
