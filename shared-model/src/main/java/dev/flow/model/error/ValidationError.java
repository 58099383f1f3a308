package dev.flow.model.error;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

/** Invalid input (HTTP 422): carries every field error found, not just the first. */
public final class ValidationError extends FlowError {

    private final List<FieldError> errors;

    public ValidationError(String message, List<FieldError> errors) {
        this(message, errors, List.of());
    }

    public ValidationError(String message, List<FieldError> errors, List<String> suggestions) {
        super(message, mergeSuggestions(errors, suggestions), null);
        this.errors = List.copyOf(errors);
    }

    /** A ValidationError whose message lists the field errors. */
    public static ValidationError of(List<FieldError> errors) {
        return new ValidationError(errors.stream().map(FieldError::toString)
                .collect(Collectors.joining("; ", "invalid configuration: ", "")), errors);
    }

    public static ValidationError of(FieldError error) {
        return of(List.of(error));
    }

    public List<FieldError> errors() {
        return errors;
    }

    @Override
    public String errorName() {
        return "ValidationError";
    }

    @Override
    public int httpStatus() {
        return 422;
    }

    // The seed reads e.suggestions: it holds the explicit ones plus every field's suggestion, without duplicates.
    private static List<String> mergeSuggestions(List<FieldError> errors, List<String> suggestions) {
        LinkedHashSet<String> all = new LinkedHashSet<>(suggestions == null ? List.of() : suggestions);
        for (FieldError e : errors) {
            if (e.suggestion() != null) {
                all.add(e.suggestion());
            }
        }
        return new ArrayList<>(all);
    }
}
