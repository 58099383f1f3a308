package dev.flow.emulator.api;

import java.util.List;

/** A 422 in FastAPI form: {@code {"detail":[{"loc":[...],"msg":"...","type":"..."}]}}. */
public class ValidationFailure extends RuntimeException {

    /** One entry of {@code detail}; {@code loc} holds strings and integers. */
    public record Detail(List<Object> loc, String msg, String type) {
    }

    private final List<Detail> details;

    public ValidationFailure(List<Detail> details) {
        super("validation failed", null, false, false);
        this.details = List.copyOf(details);
    }

    public static ValidationFailure of(String in, String field, String msg, String type) {
        return new ValidationFailure(List.of(new Detail(List.of(in, field), msg, type)));
    }

    public List<Detail> details() {
        return details;
    }
}
