package dev.flow.submitter.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flow.model.json.FlowJson;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The fingerprint an {@code Idempotency-Key} is stored with: SHA-256 (hex) of the request body in canonical JSON
 * (object keys sorted at every level, no blanks, numbers as written), so re-serialising or re-ordering a body does not
 * make a retry look like a different request, while any changed value does. A body that is not JSON is hashed as sent.
 * Only the digest is stored: the body carries env values, which never reach the database.
 */
public final class RequestFingerprint {

    private static final ObjectMapper MAPPER = FlowJson.mapper();

    private RequestFingerprint() {
    }

    public static String of(String body) {
        String text = body == null ? "" : body;
        byte[] canonical;
        try {
            Object tree = MAPPER.readerFor(Object.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(text);
            canonical = MAPPER.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsBytes(tree);
        } catch (JsonProcessingException | IllegalArgumentException notJson) {
            canonical = text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
