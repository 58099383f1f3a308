package dev.flow.cost.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

/** The CSV export of a project's costs: a header, then one row per group (Jackson's CSV writer does the quoting). */
final class CostCsv {

    static final String MEDIA_TYPE = "text/csv";

    private static final CsvMapper MAPPER = CsvMapper.builder().build();
    private static final CsvSchema SCHEMA = MAPPER.schemaFor(Row.class).withHeader();

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"project", "from", "to", "group_by", "group", "currency", "total_cost", "total_cost_cents",
            "total_cost_exact"})
    record Row(String project, String from, String to, String groupBy, String group, String currency, String totalCost,
               long totalCostCents, String totalCostExact) {
    }

    private CostCsv() {
    }

    static String write(ProjectCostResponse view) {
        String from = view.from() == null ? "" : view.from().toString();
        String to = text(view.to());
        List<Row> rows = view.groups().stream().map(g -> new Row(view.project(), from, to, view.groupBy(), g.key(),
                view.currency(), g.totalCost(), g.totalCostCents(), g.totalCostExact())).toList();
        try {
            return MAPPER.writer(SCHEMA).writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing CSV failed", e);
        }
    }

    private static String text(Instant instant) {
        return instant == null ? "" : instant.toString();
    }
}
