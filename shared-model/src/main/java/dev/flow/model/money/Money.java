package dev.flow.model.money;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An amount of US dollars. Never a {@code double}: a {@link BigDecimal} kept at full precision (cost accrues in
 * fractions of a cent per second) and rounded only for display.
 *
 * <ul>
 *   <li>{@link #toString()}: the display form, 2 decimals, HALF_EVEN: {@code "$25.60"} (as Mithril and the SDK show prices).</li>
 *   <li>JSON ({@link #toJson()}): the same dollar string but without losing precision: {@code "$25.60"}, {@code "$0.0125"},
 *       so an event read back equals the event written.</li>
 * </ul>
 * Equality ignores trailing zeros: {@code $25.6 == $25.60}.
 */
public record Money(BigDecimal amount) implements Comparable<Money> {

    public static final Money ZERO = new Money(BigDecimal.ZERO);

    // optional minus, optional "$", digits, optional fraction; no exponents, no thousands separators, no "+".
    /** Characters of a dollar amount's text ({@code "$123456789012345.123456789012"} fits). */
    public static final int MAX_TEXT_LENGTH = 40;
    private static final Pattern FORMAT = Pattern.compile("^(-)?\\$?(\\d+(?:\\.\\d+)?)$");

    public Money {
        Objects.requireNonNull(amount, "amount");
        // canonical scale: at least cents, more only when the value needs it; makes equals/hashCode value-based
        BigDecimal stripped = amount.stripTrailingZeros();
        amount = stripped.scale() < 2 ? stripped.setScale(2, RoundingMode.UNNECESSARY) : stripped;
    }

    public static Money of(BigDecimal dollars) {
        return new Money(dollars);
    }

    public static Money of(String dollars) {
        return parse(dollars);
    }

    public static Money ofCents(long cents) {
        return new Money(BigDecimal.valueOf(cents, 2));
    }

    /**
     * Parses {@code "$25.60"}, {@code "25.60"}, {@code "-$1.00"}, {@code "$0.0125"}.
     *
     * @throws IllegalArgumentException naming the bad input for anything else ({@code "$1,000"}, {@code "1e3"}, {@code "$"}, ...)
     */
    @JsonCreator
    public static Money parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("money amount is missing; expected a dollar amount like \"$25.60\"");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            // bounded before the regex and BigDecimal: a megabyte of digits is no price and would be slow to compute with
            throw new IllegalArgumentException("a dollar amount has at most " + MAX_TEXT_LENGTH + " characters");
        }
        var m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a dollar amount; expected a form like \"$25.60\"");
        }
        BigDecimal value = new BigDecimal(m.group(2));
        return new Money(m.group(1) != null ? value.negate() : value);
    }

    /** Whole cents, rounded HALF_EVEN. */
    public long toCents() {
        return amount.movePointRight(2).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    public Money plus(Money other) {
        return new Money(amount.add(other.amount));
    }

    public Money minus(Money other) {
        return new Money(amount.subtract(other.amount));
    }

    /** This amount times a quantity: hours, instances, a fraction. Exact (no rounding). */
    public Money times(BigDecimal factor) {
        return new Money(amount.multiply(factor));
    }

    public Money times(long factor) {
        return new Money(amount.multiply(BigDecimal.valueOf(factor)));
    }

    /** Rounded to whole cents, HALF_EVEN: what a bill shows. */
    public Money roundedToCents() {
        return new Money(amount.setScale(2, RoundingMode.HALF_EVEN));
    }

    public boolean isPositive() {
        return amount.signum() > 0;
    }

    public boolean isNegative() {
        return amount.signum() < 0;
    }

    public boolean isGreaterThan(Money other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Money other) {
        return amount.compareTo(other.amount);
    }

    /** The JSON form: dollar string at full precision. */
    @JsonValue
    public String toJson() {
        return format(amount);
    }

    /** Display form: {@code "$25.60"}, 2 decimals, HALF_EVEN. */
    @Override
    public String toString() {
        return format(amount.setScale(2, RoundingMode.HALF_EVEN));
    }

    private static String format(BigDecimal value) {
        return (value.signum() < 0 ? "-$" : "$") + value.abs().toPlainString();
    }
}
