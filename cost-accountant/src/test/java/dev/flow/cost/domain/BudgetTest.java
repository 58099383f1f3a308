package dev.flow.cost.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import dev.flow.model.event.BudgetPeriod;
import org.junit.jupiter.api.Test;

class BudgetTest {

    private static final Instant THURSDAY = Instant.parse("2026-03-12T17:45:10Z");

    @Test
    void periodsAreUtcCalendarPeriods() {
        assertThat(Budget.periodStart(BudgetPeriod.DAILY, THURSDAY)).isEqualTo("2026-03-12T00:00:00Z");
        assertThat(Budget.periodStart(BudgetPeriod.WEEKLY, THURSDAY)).isEqualTo("2026-03-09T00:00:00Z");
        assertThat(Budget.periodStart(BudgetPeriod.MONTHLY, THURSDAY)).isEqualTo("2026-03-01T00:00:00Z");
        assertThat(Budget.periodStart(BudgetPeriod.TOTAL, THURSDAY)).isEqualTo(Instant.EPOCH);
    }

    @Test
    void periodsEndWhereTheNextStartsAndTotalNeverEnds() {
        for (BudgetPeriod period : List.of(BudgetPeriod.DAILY, BudgetPeriod.WEEKLY, BudgetPeriod.MONTHLY)) {
            Instant end = Budget.periodEnd(period, Budget.periodStart(period, THURSDAY));
            assertThat(end).isAfter(THURSDAY);
            assertThat(Budget.periodStart(period, end)).isEqualTo(end);
            assertThat(Budget.periodStart(period, end.minusNanos(1000))).isEqualTo(Budget.periodStart(period, THURSDAY));
        }
        assertThat(Budget.periodEnd(BudgetPeriod.MONTHLY, Instant.parse("2026-02-01T00:00:00Z")))
                .isEqualTo("2026-03-01T00:00:00Z");
        assertThat(Budget.periodEnd(BudgetPeriod.TOTAL, Instant.EPOCH)).isNull();
    }

    @Test
    void thresholdsAreDistinctAscendingPercentsOfTheLimit() {
        Budget budget = new Budget();
        budget.limitAmount = new BigDecimal("12.50");
        budget.thresholds = Budget.thresholdsText(List.of(80, 50, 100, 80));
        assertThat(budget.thresholdList()).containsExactly(50, 80, 100);
        assertThat(budget.thresholdAmount(80)).isEqualByComparingTo("10.00");
        assertThat(budget.thresholdAmount(150)).isEqualByComparingTo("18.75");
    }
}
