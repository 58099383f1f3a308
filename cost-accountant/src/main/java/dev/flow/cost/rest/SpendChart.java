package dev.flow.cost.rest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.flow.cost.domain.Accrual;
import dev.flow.cost.domain.CostGroups;
import dev.flow.cost.domain.CostInterval;

/**
 * A project's cumulative spend over a window as an SVG line chart, with its budget's limit as a dashed horizontal
 * line. Hand-written SVG: a polyline and a few labels need no library, and the output stays small and
 * dependency-free. Coordinates are computed from exact amounts and rounded to 0.1 px only for drawing.
 */
final class SpendChart {

    static final String MEDIA_TYPE = "image/svg+xml";
    static final int SAMPLES = 60;
    private static final int WIDTH = 800;
    private static final int HEIGHT = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 40;

    /** The budget line: its limit in dollars and a label ({@code monthly budget $500.00}). */
    record BudgetLine(BigDecimal limit, String label) {
    }

    private SpendChart() {
    }

    /** Cumulative spend from {@code from} at 61 points up to {@code to}; running lines accrue up to {@code now}. */
    static String draw(String project, Instant from, Instant to, Instant now, List<CostInterval> lines,
                       BudgetLine budget) {
        List<Instant> points = new ArrayList<>();
        long span = Duration.between(from, to).toMillis();
        for (int i = 0; i <= SAMPLES; i++) {
            points.add(from.plusMillis(span * i / SAMPLES));
        }
        List<Accrual> spend = CostGroups.cumulative(lines, from, points, now);
        BigDecimal top = spend.getLast().dollars(Accrual.EXACT_SCALE);
        if (budget != null && budget.limit().compareTo(top) > 0) {
            top = budget.limit();
        }
        if (top.signum() == 0) {
            top = BigDecimal.ONE;
        }
        top = top.multiply(new BigDecimal("1.1"));
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder polyline = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            double x = LEFT + plotWidth * i / SAMPLES;
            double y = TOP + plotHeight - plotHeight * ratio(spend.get(i).dollars(Accrual.EXACT_SCALE), top);
            polyline.append(i == 0 ? "" : " ").append(fmt(x)).append(',').append(fmt(y));
        }
        String title = "Spend of " + project + " from " + from + " to " + to;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(escape(title)).append("\">\n")
                .append("  <title>").append(escape(title)).append("</title>\n")
                .append("  <rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"white\"/>\n")
                .append("  <text x=\"").append(LEFT).append("\" y=\"24\" font-family=\"sans-serif\" font-size=\"14\">")
                .append(escape(project)).append(": ").append(escape(spend.getLast().display())).append(" spent</text>\n")
                .append("  <g id=\"axes\" stroke=\"#444\" stroke-width=\"1\">\n")
                .append("    <line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\"/>\n")
                .append("    <line x1=\"").append(LEFT).append("\" y1=\"").append(HEIGHT - BOTTOM).append("\" x2=\"")
                .append(WIDTH - RIGHT).append("\" y2=\"").append(HEIGHT - BOTTOM).append("\"/>\n")
                .append("  </g>\n")
                .append("  <g font-family=\"sans-serif\" font-size=\"11\" fill=\"#444\">\n")
                .append("    <text x=\"").append(LEFT - 6).append("\" y=\"").append(TOP + 4)
                .append("\" text-anchor=\"end\">$").append(top.setScale(2, RoundingMode.HALF_EVEN).toPlainString())
                .append("</text>\n")
                .append("    <text x=\"").append(LEFT - 6).append("\" y=\"").append(HEIGHT - BOTTOM)
                .append("\" text-anchor=\"end\">$0</text>\n")
                .append("    <text x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - BOTTOM + 18).append("\">")
                .append(from).append("</text>\n")
                .append("    <text x=\"").append(WIDTH - RIGHT).append("\" y=\"").append(HEIGHT - BOTTOM + 18)
                .append("\" text-anchor=\"end\">").append(to).append("</text>\n")
                .append("  </g>\n")
                .append("  <polyline id=\"spend\" class=\"series\" data-series=\"spend\" fill=\"none\" ")
                .append("stroke=\"#1f77b4\" stroke-width=\"2\" points=\"").append(polyline).append("\"/>\n");
        if (budget != null) {
            double y = TOP + plotHeight - plotHeight * ratio(budget.limit(), top);
            svg.append("  <line id=\"budget\" class=\"series\" data-series=\"budget\" x1=\"").append(LEFT)
                    .append("\" y1=\"").append(fmt(y)).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y2=\"")
                    .append(fmt(y)).append("\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n")
                    .append("  <text x=\"").append(WIDTH - RIGHT).append("\" y=\"").append(fmt(y - 6))
                    .append("\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#d62728\">")
                    .append(escape(budget.label())).append("</text>\n");
        }
        return svg.append("</svg>\n").toString();
    }

    private static double ratio(BigDecimal value, BigDecimal top) {
        return value.divide(top, 6, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
