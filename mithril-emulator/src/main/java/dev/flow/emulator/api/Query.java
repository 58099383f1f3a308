package dev.flow.emulator.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Query parameter checks with FastAPI-style 422 answers. */
public final class Query {

    private final List<ValidationFailure.Detail> errors = new ArrayList<>();

    public String required(String name, String value) {
        if (value == null || value.isEmpty()) {
            errors.add(new ValidationFailure.Detail(List.of("query", name), "Field required", "missing"));
        }
        return value;
    }

    public Integer intRange(String name, String value, int min, int max, Integer dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            errors.add(new ValidationFailure.Detail(List.of("query", name),
                    "Input should be a valid integer, unable to parse string as an integer", "int_parsing"));
            return dflt;
        }
        if (parsed < min) {
            errors.add(new ValidationFailure.Detail(List.of("query", name),
                    "Input should be greater than or equal to " + min, "greater_than_equal"));
        } else if (parsed > max) {
            errors.add(new ValidationFailure.Detail(List.of("query", name),
                    "Input should be less than or equal to " + max, "less_than_equal"));
        }
        return parsed;
    }

    public String oneOf(String name, String value, Set<String> allowed) {
        if (value != null && !value.isEmpty() && !allowed.contains(value)) {
            errors.add(new ValidationFailure.Detail(List.of("query", name),
                    "Input should be " + String.join(" or ", allowed.stream().sorted().map(a -> "'" + a + "'").toList()),
                    "enum"));
            return null;
        }
        return value == null || value.isEmpty() ? null : value;
    }

    /** A comma-separated list whose items must be in {@code allowed} (null: any). */
    public List<String> csv(String name, String value, Set<String> allowed) {
        if (value == null || value.isBlank()) {
            return null;
        }
        List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (int i = 0; i < items.size(); i++) {
            if (allowed != null && !allowed.contains(items.get(i))) {
                errors.add(new ValidationFailure.Detail(List.of("query", name, i),
                        "Input should be one of " + allowed.size() + " allowed values", "enum"));
            }
        }
        return items;
    }

    public Boolean bool(String name, String value, boolean dflt) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        return switch (value.toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> {
                errors.add(new ValidationFailure.Detail(List.of("query", name),
                        "Input should be a valid boolean, unable to interpret input", "bool_parsing"));
                yield dflt;
            }
        };
    }

    public java.time.Instant instant(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            errors.add(new ValidationFailure.Detail(List.of("query", name),
                    "Input should be a valid datetime", "datetime_from_date_parsing"));
            return null;
        }
    }

    public void failIfErrors() {
        if (!errors.isEmpty()) {
            throw new ValidationFailure(errors);
        }
    }
}
