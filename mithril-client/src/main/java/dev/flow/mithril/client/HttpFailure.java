package dev.flow.mithril.client;

import java.time.Duration;

/**
 * A non-2xx answer while the call may still be retried. Internal: after the retries it becomes a public typed
 * exception ({@link ErrorMapper}).
 */
final class HttpFailure extends RuntimeException {

    final int status;
    final String method;
    final String path;
    final String body;
    final Duration retryAfter;
    final String requestId;

    HttpFailure(int status, String method, String path, String body, Duration retryAfter, String requestId) {
        super(method + " " + path + " -> " + status, null, false, false);
        this.status = status;
        this.method = method;
        this.path = path;
        this.body = body;
        this.retryAfter = retryAfter;
        this.requestId = requestId;
    }
}
