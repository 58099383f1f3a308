package dev.flow.mithril.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.model.error.AuthenticationError;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Turns a failed call into the seed's typed errors. Mithril answers FastAPI-style: {@code {"detail": "..."}} or,
 * for 422, {@code {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}}.
 */
final class ErrorMapper {

    private static final int MAX_DETAIL = 500;

    private final ObjectMapper json;
    private final String apiKey;

    ErrorMapper(ObjectMapper json, String apiKey) {
        this.json = json;
        this.apiKey = apiKey;
    }

    /** The public exception for any failure that left the retry loop. Public exceptions pass through. */
    RuntimeException toPublic(Throwable failure) {
        if (failure instanceof HttpFailure h) {
            return fromResponse(h);
        }
        if (failure instanceof TimeoutException || failure instanceof io.netty.channel.ConnectTimeoutException) {
            return new FlowTimeoutError("Mithril did not answer in time: " + scrub(failure.getMessage()),
                    List.of("check MITHRIL_API_URL and the network, or raise the request timeout"), failure);
        }
        if (Retries.isConnectionFailure(failure)) {
            return new FlowServiceError("Mithril is unreachable: " + scrub(String.valueOf(failure.getMessage())), 503,
                    List.of("check MITHRIL_API_URL and the network"), failure);
        }
        if (failure instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(failure);
    }

    RuntimeException fromResponse(HttpFailure h) {
        Parsed p = parse(h.body);
        String detail = p.message;
        MithrilApiException api = new MithrilApiException(h.status, h.method, h.path, detail, h.requestId, h.retryAfter);
        String message = "Mithril " + h.method + " " + h.path + ": " + (detail.isEmpty() ? "HTTP " + h.status : detail);
        if (mentionsQuota(detail) && (h.status == 400 || h.status == 403 || h.status == 409 || h.status == 422)) {
            return new InsufficientQuotaError(message, List.of("free capacity (cancel bids, delete volumes) or ask for a larger quota"), api);
        }
        return switch (h.status) {
            case 401, 403 -> new AuthenticationError("Mithril rejected the API key (HTTP " + h.status + ")"
                    + (detail.isEmpty() ? "" : ": " + detail), List.of("check MITHRIL_API_KEY"), api);
            case 404 -> new ResourceNotFoundError(message, List.of(), api);
            case 400, 422 -> new ValidationError(message, p.fieldErrors);
            case 504 -> new FlowTimeoutError(message, List.of(), api);
            default -> api;
        };
    }

    private record Parsed(String message, List<FieldError> fieldErrors) {
    }

    private Parsed parse(String body) {
        if (body == null || body.isBlank()) {
            return new Parsed("", List.of());
        }
        try {
            JsonNode root = json.readTree(body);
            JsonNode detail = root == null ? null : root.get("detail");
            if (detail != null && detail.isArray()) {
                List<FieldError> errors = new ArrayList<>();
                for (JsonNode d : detail) {
                    errors.add(FieldError.of(location(d.get("loc")), scrub(d.path("msg").asText(""))));
                }
                String msg = String.join("; ", errors.stream().map(FieldError::toString).toList());
                return new Parsed(truncate(msg), List.copyOf(errors));
            }
            if (detail != null && !detail.isNull()) {
                String text = detail.isTextual() ? detail.asText() : detail.toString();
                return new Parsed(truncate(scrub(text)), List.of());
            }
        } catch (IOException notJson) {
            // fall through: a proxy's HTML page or plain text
        }
        return new Parsed(truncate(scrub(body.strip())), List.of());
    }

    /**
     * FastAPI's {@code loc} is e.g. {@code ["body", "launch_specification", "ssh_keys", 0]}: the leading
     * {@code body}/{@code query}/{@code path} names where, not what, so it is dropped.
     */
    private static String location(JsonNode loc) {
        if (loc == null || !loc.isArray()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < loc.size(); i++) {
            JsonNode part = loc.get(i);
            if (i == 0 && part.isTextual() && List.of("body", "query", "path", "header").contains(part.asText())
                    && loc.size() > 1) {
                continue;
            }
            if (part.isInt()) {
                sb.append('[').append(part.asInt()).append(']');
            } else {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(part.asText());
            }
        }
        return sb.toString();
    }

    private static boolean mentionsQuota(String detail) {
        return detail.toLowerCase(Locale.ROOT).contains("quota");
    }

    /** A server must not echo our key, but if one does, it still never reaches an exception message or a log. */
    String scrub(String text) {
        if (text == null) {
            return "";
        }
        return text.replace(apiKey, "<redacted>");
    }

    private static String truncate(String s) {
        return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "…";
    }
}
