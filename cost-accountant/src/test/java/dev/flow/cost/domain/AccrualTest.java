package dev.flow.cost.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class AccrualTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void ninetyMinutesAtTwelveThirtyFourIsExact() {
        Accrual one = Accrual.of(new BigDecimal("12.34"), T0, T0.plus(Duration.ofMinutes(90)));
        assertThat(one.cents()).isEqualTo(1851);
        assertThat(one.display()).isEqualTo("$18.51");
        assertThat(one.plus(one).exact().toJson()).isEqualTo("$37.02");
    }

    @Test
    void sumsStayExactAndRoundOnceHalfEven() {
        // 9.87 × 45 min = 7.4025 twice = 14.805; + 12.34 = 27.145 → 27.14 (HALF_EVEN), never 27.15 or 27.16
        Accrual a = Accrual.of(new BigDecimal("9.87"), T0, T0.plus(Duration.ofMinutes(45)));
        Accrual total = a.plus(a).plus(Accrual.of(new BigDecimal("12.34"), T0, T0.plus(Duration.ofHours(1))));
        assertThat(a.display()).isEqualTo("$7.40");
        assertThat(total.exact().toJson()).isEqualTo("$27.145");
        assertThat(total.cents()).isEqualTo(2714);
    }

    @Test
    void oneSecondKeepsItsFractionOfACentUntilShown() {
        Accrual second = Accrual.of(new BigDecimal("12.34"), T0, T0.plusSeconds(1));
        Accrual hour = Accrual.ZERO;
        for (int i = 0; i < 3600; i++) {
            hour = hour.plus(second);
        }
        assertThat(second.cents()).isZero();
        assertThat(hour.display()).isEqualTo("$12.34");
    }

    @Test
    void anIntervalEndingBeforeItStartsCostsNothing() {
        assertThat(Accrual.of(new BigDecimal("5"), T0, T0.minusSeconds(10))).isEqualTo(Accrual.ZERO);
    }
}
