package dev.flow.emulator.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import java.util.regex.Pattern;

/** Prices are whole cents (per instance per hour) internally; the API shows them as "$12.34" strings or cents. */
public final class Money {

    private static final Pattern DOLLARS = Pattern.compile("^\\$(\\d{1,7})(\\.\\d{1,2})?$");

    private Money() {
    }

    public static String format(long cents) {
        return "$" + BigDecimal.valueOf(cents, 2).setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }

    /** Parses "$25.60" (also "$25", "$25.6"); empty when malformed. */
    public static Optional<Long> parse(String dollars) {
        if (dollars == null || !DOLLARS.matcher(dollars).matches()) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(dollars.substring(1)).movePointRight(2).setScale(0, RoundingMode.UNNECESSARY)
                .longValueExact());
    }
}
