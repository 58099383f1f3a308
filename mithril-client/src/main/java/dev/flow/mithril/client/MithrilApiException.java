package dev.flow.mithril.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A Mithril answer that none of the seed's error classes describes (409, 429 or 5xx after the retries, 501, ...),
 * and the cause attached to the typed ones ({@code AuthenticationError}, {@code ResourceNotFoundError},
 * {@code InsufficientQuotaError}, {@code FlowTimeoutError}) so the HTTP status is never lost.
 * It is not a {@code FlowError} because that hierarchy is sealed; {@link #toFlowError()} gives the equivalent one.
 */
public final class MithrilApiException extends RuntimeException {

    private final int status;
    private final String method;
    private final String path;
    private final String detail;
    private final String requestId;
    private final Duration retryAfter;

    public MithrilApiException(int status, String method, String path, String detail, String requestId,
                               Duration retryAfter) {
        super("Mithril " + method + " " + path + " -> " + status + (detail == null || detail.isEmpty() ? "" : ": " + detail)
                + (requestId == null ? "" : " [request " + requestId + "]"));
        this.status = status;
        this.method = method;
        this.path = path;
        this.detail = detail;
        this.requestId = requestId;
        this.retryAfter = retryAfter;
    }

    /** HTTP status Mithril answered. */
    public int status() {
        return status;
    }

    public String method() {
        return method;
    }

    /** Request path without the query string. */
    public String path() {
        return path;
    }

    /** Mithril's {@code detail} (FastAPI), or the body text when it was not JSON. */
    public String detail() {
        return detail;
    }

    /** Our {@code X-Client-Request-Id} of the failed attempt, to find it in Mithril's or the emulator's logs. */
    public String requestId() {
        return requestId;
    }

    /** The server's {@code Retry-After}, when it sent one (429/503). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * Whether a failure of a call whose retries ran out says Mithril was busy, down or slow (429, 5xx but 501, a
     * timeout, no connection) rather than refusing the request itself: the same request may succeed later. For a
     * create this is only ever seen once the look-up by name found nothing (else the call adopts the resource, or ends
     * with {@link OutcomeUnknownException}), so nothing was created.
     */
    public static boolean isTemporary(Throwable failure) {
        if (failure instanceof MithrilApiException api) {
            return Retries.isRetryableStatus(api.status);
        }
        if (failure instanceof dev.flow.model.error.FlowTimeoutError) {
            return true;
        }
        return failure instanceof dev.flow.model.error.FlowServiceError && failure.getCause() != null
                && Retries.isConnectionFailure(failure.getCause());
    }

    /** The seed's plain {@code FlowError} for this failure, for services that surface it to their own callers. */
    public dev.flow.model.error.FlowServiceError toFlowError() {
        int s = status >= 400 && status <= 599 ? status : 502;
        return new dev.flow.model.error.FlowServiceError(getMessage(), s, java.util.List.of(), this);
    }
}
