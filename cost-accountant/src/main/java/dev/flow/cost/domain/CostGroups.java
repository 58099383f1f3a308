package dev.flow.cost.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits a project's cost lines into groups: per UTC day (a line crossing midnight is cut there), per instance type,
 * or per task. Sums stay exact ({@link Accrual}); each group is rounded once, when shown.
 */
public final class CostGroups {

    /** {@code group_by} of {@code GET /v1/costs/projects/{project}}. */
    public enum GroupBy {
        DAY, INSTANCE_TYPE, TASK;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The value of a {@code group_by} parameter, or null when it names no grouping. */
        public static GroupBy parse(String text) {
            for (GroupBy g : values()) {
                if (g.json().equals(text)) {
                    return g;
                }
            }
            return null;
        }
    }

    /** Instance type of lines whose event did not name one. */
    public static final String UNKNOWN_TYPE = "unknown";

    private CostGroups() {
    }

    /**
     * Group key → cost within {@code [from, to)} as known at {@code now} (see
     * {@link CostInterval#accruedWithin(Instant, Instant, Instant)}), keys in ascending order (days chronologically).
     */
    public static Map<String, Accrual> group(List<CostInterval> lines, GroupBy by, Instant from, Instant to,
                                             Instant now) {
        Map<String, Accrual> groups = new TreeMap<>();
        for (CostInterval line : lines) {
            Instant until = line.endedAt != null || to.isBefore(now) ? to : now;
            switch (by) {
                case TASK -> groups.merge(line.taskId, line.accruedWithin(from, until), Accrual::plus);
                case INSTANCE_TYPE -> groups.merge(line.instanceType == null ? UNKNOWN_TYPE : line.instanceType,
                        line.accruedWithin(from, until), Accrual::plus);
                case DAY -> {
                    Instant start = line.startedAt.isBefore(from) ? from : line.startedAt;
                    Instant end = line.endedAt == null || line.endedAt.isAfter(until) ? until : line.endedAt;
                    while (start.isBefore(end)) {
                        LocalDate day = LocalDate.ofInstant(start, ZoneOffset.UTC);
                        Instant midnight = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                        Instant stop = midnight.isBefore(end) ? midnight : end;
                        groups.merge(day.toString(), Accrual.of(line.pricePerHour, start, stop), Accrual::plus);
                        start = stop;
                    }
                }
            }
        }
        return groups;
    }

    /** Spend accumulated at each of {@code points} (ascending): the series of a spend-over-time chart. */
    public static List<Accrual> cumulative(List<CostInterval> lines, Instant from, List<Instant> points, Instant now) {
        return points.stream().map(p -> lines.stream().map(l -> l.accruedWithin(from, p, now))
                .reduce(Accrual.ZERO, Accrual::plus)).toList();
    }

}
