package dev.flow.emulator.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

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
