package dev.flow.cost.domain;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import dev.flow.model.event.BudgetPeriod;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A project's spending limit for a period (UTC calendar periods; {@code total} never resets). */
@Entity
@Table(name = "budget")
public class Budget {

    public static final String STOP_TASKS = "stop_tasks";

    @Id
    @Column(name = "id")
    public String id;

    @Column(name = "project", nullable = false)
    public String project;

    /** {@link BudgetPeriod#json()}. */
    @Column(name = "period", nullable = false)
    public String period;

    /** USD, full precision. */
    @Column(name = "limit_amount", nullable = false)
    public BigDecimal limitAmount;

    @Column(name = "thresholds", nullable = false)
    public String thresholds;

    /** {@link #STOP_TASKS} to stop the project's running tasks at 100 % of actual spend; null = alert only. */
    @Column(name = "action")
    public String action;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    public BudgetPeriod periodKind() {
        return BudgetPeriod.parse(period);
    }

    public List<Integer> thresholdList() {
        return Arrays.stream(thresholds.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }

    public static String thresholdsText(List<Integer> percents) {
        return percents.stream().distinct().sorted().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Where the period containing {@code at} starts (UTC; weeks start on Monday). */
    public static Instant periodStart(BudgetPeriod period, Instant at) {
        LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
        return switch (period) {
            case DAILY -> at.truncatedTo(ChronoUnit.DAYS);
            case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(ZoneOffset.UTC)
                    .toInstant();
            case MONTHLY -> day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            case TOTAL -> Instant.EPOCH;
        };
    }

    /** Where the period starting at {@code start} ends (exclusive); null for {@code total}, which never ends. */
    public static Instant periodEnd(BudgetPeriod period, Instant start) {
        return switch (period) {
            case DAILY -> start.plus(1, ChronoUnit.DAYS);
            case WEEKLY -> start.plus(7, ChronoUnit.DAYS);
            case MONTHLY -> start.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
            case TOTAL -> null;
        };
    }

    public boolean stopsTasks() {
        return STOP_TASKS.equals(action);
    }

    /** The spend at which {@code percent} of the limit is reached. */
    public BigDecimal thresholdAmount(int percent) {
        return limitAmount.multiply(BigDecimal.valueOf(percent)).movePointLeft(2);
    }
}
