package dev.flow.model.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The period a budget limit applies to; {@code total} never resets. JSON lowercase. */
public enum BudgetPeriod {
    DAILY, WEEKLY, MONTHLY, TOTAL;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static BudgetPeriod parse(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
