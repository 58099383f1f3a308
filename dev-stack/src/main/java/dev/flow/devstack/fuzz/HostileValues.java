package dev.flow.devstack.fuzz;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Generators of what a hostile or careless client sends: huge exponents, NaN-like and overflowing numbers,
 * negatives, unicode, NUL and control characters, very long strings, deep nesting, wrong JSON types, duplicate keys.
 * Shared by the edge fuzz suites of every service.
 */
public final class HostileValues {

    /** Texts that are numbers to a careless parser, or nearly. */
    static final List<String> NUMBERISH = List.of("1e500000000", "-1e500000000", "1E+2147483647", "1e-500000000",
            "NaN", "nan", "Infinity", "-Infinity", "-0", "-5", "-1", "0", "99999999999999999999999",
            "9223372036854775808", "-9223372036854775809", "2147483648", "0x10", "1_000", "1,5", "1.5", "08", "+3",
            "1e3", "0.0000000000001", "１２３", "٣");
    /** Texts of other shapes: empty, blank, words, path tricks, percent-escapes, injection attempts. */
    static final List<String> WORDS = List.of("", " ", "  \t", "null", "true", "perhaps", "all", "*", "**", "../..",
            "%00", "%", "a*b", "'; DROP TABLE tasks; --", "$(reboot)", "`id`", "<script>", "\\", "\"", "{}", "[]",
            "task-", "task-\u0000", "\u0000", "\u202e", "\ud83d\ude80", "é", "\uFEFF", "\u2028", "null\u0000x");

    private HostileValues() {
    }

    /** A query parameter or path segment value. */
    public static Gen<String> text() {
        return Gen.weighted(
                4, Gen.of(NUMBERISH),
                4, Gen.of(WORDS),
                // any code point but unpaired surrogates: unicode letters, symbols, controls, emoji
                3, Gen.string(1, 24, r -> {
                    int c = r.nextInt(0, 0x10000 + 0x1000);
                    return c >= 0xD800 && c <= 0xDFFF ? 'x' : c;
                }),
                2, Gen.string(1, 6, r -> r.nextInt(0, 0x21)),
                2, (Gen<String>) r -> Long.toString(r.nextLong()),
                1, Gen.string(500, 4000, r -> 'a' + r.nextInt(26)),
                1, (Gen<String>) r -> new BigInteger(r.nextInt(70, 200), new java.util.Random(r.nextLong())).toString());
    }

    /** A JSON value of any shape, mostly hostile: used in place of a field's value, or as a whole body. */
    public static Gen<String> jsonValue() {
        return Gen.weighted(
                4, Gen.of("1e500000000", "-1e500000000", "1E+2147483647", "1e-500000000", "99999999999999999999999",
                        "-1", "0", "-0.0", "1.5", "1e308", "4.9e-324", "123456789012345678901234567890123",
                        "1" + "0".repeat(100)),
                3, Gen.of("null", "true", "false", "{}", "[]", "[null]", "{\"a\":1}", "\"\"", "\" \"", "\"NaN\"",
                        "\"Infinity\"", "\"1e500000000\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u001b[2J\"",
                        "\"\\ud800\"", "\"\u202e\"", "[1,2,3]", "[\"a\",1,{}]"),
                3, text().map(HostileValues::quote),
                1, Gen.between(40, 2000).map(depth -> "[".repeat(depth) + "]".repeat(depth)),
                1, Gen.between(40, 400).map(depth -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)),
                1, Gen.between(10_000, 200_000).map(n -> quote("x".repeat(n))));
    }

    /**
     * A JSON body for an endpoint with {@code fields}: a valid-looking object whose fields take hostile values
     * (some keys repeated), or a body that is no object at all. {@code last}, when not null, is appended as the last
     * member: a test puts an unknown field there so that no generated body can be a valid request.
     */
    public static Gen<String> jsonBody(List<String> fields, String last) {
        Gen<String> member = r -> quote(Gen.of(fields).next(r)) + ":" + jsonValue().next(r);
        Gen<String> object = r -> {
            int n = r.nextInt(1, 5);
            List<String> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                members.add(member.next(r));
            }
            return "{" + String.join(",", members) + (last == null ? "" : "," + last) + "}";
        };
        return Gen.weighted(
                8, object,
                1, jsonValue(),
                1, Gen.of("", "{", "{\"a\":", "}{", "{} {}", "\u0000", "{\"a\":1,}", "{'a':1}", "{\"a\":1}garbage"));
    }

    /** {@code text} as a JSON string literal (control characters and quotes escaped). */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
