package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import dev.flow.model.money.Money;

/**
 * An amount of money kept exactly as <em>dollar-microseconds</em> (price per hour × microseconds). Dividing by the
 * microseconds of an hour rarely terminates in decimal, so the ledger never divides while it adds: sums stay exact
 * and the single division, with HALF_EVEN rounding, happens when an amount is shown (cents, or micro-dollars for the
 * {@code _exact} fields). Timestamps are microsecond-precise, as PostgreSQL stores them.
 */
public record Accrual(BigDecimal dollarMicros) {

    public static final Accrual ZERO = new Accrual(BigDecimal.ZERO);
    private static final BigDecimal MICROS_PER_HOUR = BigDecimal.valueOf(3_600_000_000L);
    /** Precision of the {@code _exact} amounts: micro-dollars. */
    public static final int EXACT_SCALE = 6;

    /** {@code pricePerHour} from {@code start} to {@code end}; nothing when {@code end} is not after {@code start}. */
    public static Accrual of(BigDecimal pricePerHour, Instant start, Instant end) {
        long micros = ChronoUnit.MICROS.between(start, end);
        if (micros <= 0) {
            return ZERO;
        }
        return new Accrual(pricePerHour.multiply(BigDecimal.valueOf(micros)));
    }

    public Accrual plus(Accrual other) {
        return new Accrual(dollarMicros.add(other.dollarMicros));
    }

    public Accrual minus(Accrual other) {
        return new Accrual(dollarMicros.subtract(other.dollarMicros));
    }

    /** Dollars rounded HALF_EVEN to {@code scale} decimals. */
    public BigDecimal dollars(int scale) {
        return dollarMicros.divide(MICROS_PER_HOUR, scale, RoundingMode.HALF_EVEN);
    }

    /** Whole cents, HALF_EVEN: what a bill shows. */
    public long cents() {
        return dollars(2).movePointRight(2).longValueExact();
    }

    /** {@code "$27.14"}. */
    public String display() {
        return Money.ofCents(cents()).toString();
    }

    /** Micro-dollar precision, HALF_EVEN: {@code "$27.145"}. */
    public Money exact() {
        return Money.of(dollars(EXACT_SCALE));
    }
}
