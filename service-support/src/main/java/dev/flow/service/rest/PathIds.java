package dev.flow.service.rest;

import dev.flow.model.error.ResourceNotFoundError;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Ids in paths (tasks, budgets, projects, volumes, instances) are short printable tokens. Anything else cannot name a
 * resource, so it is not found, before it reaches a database (PostgreSQL refuses a NUL in text with an error) or a
 * log line.
 */
public final class PathIds {

    /** Letters, digits and {@code . _ : -}, starting with a letter or digit; at most {@link #MAX_LENGTH}. */
    public static final int MAX_LENGTH = 128;
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0," + (MAX_LENGTH - 1) + "}$");

    private PathIds() {
    }

    /** {@code id} when it can be an id of {@code kind}; otherwise a 404 ResourceNotFoundError. */
    public static String require(String kind, String id) {
        if (!valid(id)) {
            // the id is not echoed: it may be megabytes or hold control characters
            throw new ResourceNotFoundError(kind + " not found: not a valid id", List.of(
                    "ids are 1 to " + MAX_LENGTH + " letters, digits, `.`, `_`, `:` or `-`, as the API returned them"));
        }
        return id;
    }

    public static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
