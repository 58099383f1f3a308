package dev.flow.emulator.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/** Cursor pagination over a sorted snapshot; the cursor is an opaque token carrying the next offset. */
public final class Paging {

    public record Page<T>(List<T> items, String nextCursor) {
    }

    private Paging() {
    }

    public static <T> Page<T> page(List<T> sorted, String cursor, int limit) {
        int offset = decode(cursor);
        int from = Math.min(offset, sorted.size());
        int to = Math.min(from + limit, sorted.size());
        String next = to < sorted.size() ? encode(to) : null;
        return new Page<>(List.copyOf(sorted.subList(from, to)), next);
    }

    /**
     * A page of the items after the one the cursor names (keyset paging): an item added or removed before the cursor
     * between two pages neither repeats nor hides a later one, as an offset would. The list must be sorted by
     * {@code key} (string order).
     */
    public static <T> Page<T> pageAfter(List<T> sorted, String cursor, int limit, Function<T, String> key) {
        int from = 0;
        if (cursor != null && !cursor.isEmpty()) {
            String after = decodeKey(cursor);
            while (from < sorted.size() && key.apply(sorted.get(from)).compareTo(after) <= 0) {
                from++;
            }
        }
        int to = Math.min(from + limit, sorted.size());
        String next = to < sorted.size() ? encodeKey(key.apply(sorted.get(to - 1))) : null;
        return new Page<>(List.copyOf(sorted.subList(from, to)), next);
    }

    private static String encodeKey(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("k:" + key).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeKey(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("k:")) {
                return text.substring(2);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the 422 below
        }
        throw ValidationFailure.of("query", "next_cursor", "Invalid cursor", "value_error");
    }

    private static String encode(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("o:")) {
                int offset = Integer.parseInt(text.substring(2));
                if (offset >= 0) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the 422 below
        }
        throw ValidationFailure.of("query", "next_cursor", "Invalid cursor", "value_error");
    }
}
