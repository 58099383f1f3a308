package dev.flow.cost.rest;

import dev.flow.cost.domain.Accrual;
import dev.flow.model.money.Money;

/**
 * How amounts leave the service: {@code "$x.xx"} for people (HALF_EVEN), whole cents for programs, and a
 * full-precision dollar string ({@code _exact}; micro-dollars for accrued costs) for reconciliation.
 */
final class MoneyJson {

    static final String CURRENCY = "USD";

    private MoneyJson() {
    }

    static String display(Money money) {
        return money.toString();
    }

    static String display(Accrual accrual) {
        return accrual.display();
    }

    static String exact(Money money) {
        return money.toJson();
    }

    static String exact(Accrual accrual) {
        return accrual.exact().toJson();
    }
}
