package dev.flow.cost.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.flow.cost.domain.Accrual;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Prometheus gauges (at {@code /q/metrics}) of what the accountant last computed: a project's spend in the current
 * UTC month and its burn rate, and each budget's utilisation (spent / limit in its current period). They are a view
 * for dashboards, refreshed at {@code flow.cost.updates-every} and {@code flow.cost.budget-check-every}; a gauge is a
 * double, so it is never used as money by the service itself. And the ledger's lag: how long a status event took from
 * Kafka to the committed ledger (a batch records its oldest event).
 */
@Startup
@ApplicationScoped
public class CostMetrics {

    private final MeterRegistry registry;
    private final Timer ledgerLag;
    private final Map<String, AtomicReference<Double>> spend = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> burnRate = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> utilisation = new ConcurrentHashMap<>();

    public CostMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.ledgerLag = Timer.builder("flow.cost.ledger.lag")
                .description("From a status event's Kafka timestamp to its ledger transaction's commit").register(registry);
    }

    /** A batch of status events committed to the ledger; {@code oldestEventMillis} its oldest record's timestamp. */
    public void ledgered(long oldestEventMillis) {
        ledgerLag.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - oldestEventMillis)));
    }

    public void project(String project, Accrual monthSpend, BigDecimal perHour) {
        gauge(spend, project, "flow.cost.project.spend", "USD spent by the project in the current UTC month",
                Tags.of("project", project)).set(monthSpend.dollars(Accrual.EXACT_SCALE).doubleValue());
        gauge(burnRate, project, "flow.cost.project.burn.rate", "USD per hour the project's running instances cost now",
                Tags.of("project", project)).set(perHour.doubleValue());
    }

    public void budget(String budgetId, String project, String period, Accrual spent, BigDecimal limit) {
        double ratio = limit.signum() == 0 ? 0
                : spent.dollars(Accrual.EXACT_SCALE).divide(limit, 6, RoundingMode.HALF_EVEN).doubleValue();
        gauge(utilisation, budgetId, "flow.cost.budget.utilisation",
                "spent / limit of the budget in its current period (1.0 = exhausted)",
                Tags.of("project", project, "budget", budgetId, "period", period)).set(ratio);
    }

    private AtomicReference<Double> gauge(Map<String, AtomicReference<Double>> values, String key, String name,
                                          String help, Tags tags) {
        return values.computeIfAbsent(key, k -> {
            AtomicReference<Double> value = new AtomicReference<>(0.0);
            Gauge.builder(name, value, AtomicReference::get).description(help).tags(tags).register(registry);
            return value;
        });
    }
}
