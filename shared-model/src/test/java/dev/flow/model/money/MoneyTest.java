package dev.flow.model.money;

import dev.flow.model.json.FlowJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoneyTest {

    @ParameterizedTest
    @CsvSource({
            "$25.60, 25.60, $25.60",
            "25.6, 25.60, $25.60",
            "$0, 0.00, $0.00",
            "$1000, 1000.00, $1000.00",
            "-$1.50, -1.50, -$1.50",
            "' $3.00 ', 3.00, $3.00",
            "$0.0125, 0.0125, $0.01",
            "$0.015, 0.015, $0.02",
            "$0.025, 0.025, $0.02",
    })
    void parsesAndFormats(String text, BigDecimal amount, String display) {
        Money m = Money.parse(text);

        assertThat(m.amount()).isEqualByComparingTo(amount);
        assertThat(m.toString()).isEqualTo(display);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "$", "$$1", "1,000.00", "$1,000", "1e3", "$-1", "+$1", "$1.", "$.5", "USD 5",
            "1.2.3", "ten", "NaN", "Infinity"})
    void rejectsMalformedStrings(String text) {
        assertThatThrownBy(() -> Money.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + text + "\"")
                .hasMessageContaining("$25.60");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Money.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void centsRoundTrip() {
        assertThat(Money.ofCents(2560)).isEqualTo(Money.parse("$25.60"));
        assertThat(Money.ofCents(-5).toString()).isEqualTo("-$0.05");
        assertThat(Money.parse("$25.60").toCents()).isEqualTo(2560);
        assertThat(Money.parse("$0.005").toCents()).isZero();   // HALF_EVEN
        assertThat(Money.parse("$0.015").toCents()).isEqualTo(2);
        assertThat(Money.parse("$0.0151").toCents()).isEqualTo(2);
    }

    @Test
    void arithmeticIsExact() {
        Money price = Money.parse("$12.03");
        // a quarter hour of an 8-GPU node, 3 instances
        Money cost = price.times(new BigDecimal("0.25")).times(3);

        assertThat(cost.amount()).isEqualByComparingTo("9.0225");
        assertThat(cost).isEqualTo(Money.parse("$9.0225"));
        assertThat(cost.toString()).isEqualTo("$9.02");
        assertThat(cost.roundedToCents()).isEqualTo(Money.parse("$9.02"));
        assertThat(cost.toCents()).isEqualTo(902);
        assertThat(Money.parse("$0.10").plus(Money.parse("$0.20"))).isEqualTo(Money.parse("$0.30"));
        assertThat(Money.parse("$1").minus(Money.parse("$1.25"))).isEqualTo(Money.parse("-$0.25"));
        assertThat(Money.ZERO.plus(Money.ofCents(1)).isPositive()).isTrue();
        assertThat(Money.parse("-$1").isNegative()).isTrue();
        assertThat(Money.parse("$2").isGreaterThan(Money.parse("$1.99"))).isTrue();
    }

    @Test
    void jsonFormParsesBackForManyAmounts() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2_000; i++) {
            BigDecimal amount = BigDecimal.valueOf(random.nextLong() % 10_000_000_000L, random.nextInt(9));
            Money m = Money.of(amount);

            assertThat(Money.parse(m.toJson())).isEqualTo(m);
            assertThat(Money.parse(m.toString()).amount())
                    .isEqualByComparingTo(amount.setScale(2, java.math.RoundingMode.HALF_EVEN));
            assertThat(Money.ofCents(m.toCents())).isEqualTo(Money.parse(m.toString()));
        }
    }

    @Test
    void equalityIgnoresTrailingZeros() {
        assertThat(Money.parse("$25.6")).isEqualTo(Money.parse("$25.600")).hasSameHashCodeAs(Money.parse("$25.60"));
        assertThat(Money.of(new BigDecimal("1E+2"))).isEqualTo(Money.parse("$100"));
    }

    @Test
    void jsonIsTheDollarStringWithoutPrecisionLoss() throws Exception {
        var mapper = FlowJson.mapper();

        assertThat(mapper.writeValueAsString(Money.parse("$25.6"))).isEqualTo("\"$25.60\"");
        assertThat(mapper.writeValueAsString(Money.parse("$0.0125"))).isEqualTo("\"$0.0125\"");
        assertThat(mapper.readValue("\"$0.0125\"", Money.class)).isEqualTo(Money.parse("$0.0125"));
        assertThatThrownBy(() -> mapper.readValue("\"12 dollars\"", Money.class))
                .hasMessageContaining("not a dollar amount");
    }
}
