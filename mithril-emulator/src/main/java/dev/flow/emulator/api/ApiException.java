package dev.flow.emulator.api;

/** An error answered as FastAPI does for non-validation errors: {@code {"detail": "<message>"}}. */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, what + " not found");
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, detail);
    }
}
