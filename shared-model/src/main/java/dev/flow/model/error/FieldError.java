package dev.flow.model.error;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * One problem with one input field.
 *
 * @param field      snake_case JSON path of the field: {@code "instance_type"}, {@code "volumes[0].name"},
 *                   {@code "env.MY KEY"}; empty for the document as a whole
 * @param reason     what is wrong, for a human
 * @param suggestion what would be accepted instead, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldError(String field, String reason, String suggestion) {

    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
    }

    public static FieldError of(String field, String reason) {
        return new FieldError(field, reason, null);
    }

    @Override
    public String toString() {
        return (field.isEmpty() ? "" : field + ": ") + reason + (suggestion == null ? "" : " (" + suggestion + ")");
    }
}
