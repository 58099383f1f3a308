package dev.flow.emulator.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Faults injected on /v2 requests by path pattern: error statuses (429 with Retry-After, 5xx), added latency, and
 * requests answered as usual but not carried out ({@code ignore}: a cancel Mithril accepts while the bid keeps running).
 */
@ApplicationScoped
public class FaultInjector {

    /**
     * A rule. {@code pathPattern} is a glob over the request path ({@code *} within one segment, {@code **} across
     * segments), {@code method} null for any, {@code status} null for latency only, {@code rate} the probability per
     * matching request, {@code count} how many times it may fire (null: unlimited), {@code detail} the error
     * answer's {@code detail} (null: the status's usual text), e.g. Mithril's quota refusals. {@code ignore}: the
     * request gets its usual answer but has no effect; only a bid's cancel ({@code DELETE /v2/spot/bids/{fid}})
     * honours it (see {@link #ignores}), other requests are carried out as usual.
     */
    public record Rule(String id, String method, String pathPattern, Integer status, Integer retryAfterSeconds,
                       long latencyMs, double rate, Integer count, int fired, String detail, boolean ignore) {
    }

    /** What to do to one request. */
    public record Fault(Integer status, Integer retryAfterSeconds, long latencyMillis, String detail) {
    }

    private static final class Active {
        final Rule rule;
        final Pattern regex;
        final AtomicInteger fired = new AtomicInteger();

        Active(Rule rule) {
            this.rule = rule;
            this.regex = glob(rule.pathPattern());
        }
    }

    private final List<Active> rules = new ArrayList<>();
    private final Random random = new Random(7);
    private int nextId = 1;

    public synchronized Rule add(String method, String pathPattern, Integer status, Integer retryAfterSeconds,
                                 long latencyMillis, double rate, Integer count) {
        return add(method, pathPattern, status, retryAfterSeconds, latencyMillis, rate, count, null);
    }

    public synchronized Rule add(String method, String pathPattern, Integer status, Integer retryAfterSeconds,
                                 long latencyMillis, double rate, Integer count, String detail) {
        return add(method, pathPattern, status, retryAfterSeconds, latencyMillis, rate, count, detail, false);
    }

    public synchronized Rule add(String method, String pathPattern, Integer status, Integer retryAfterSeconds,
                                 long latencyMillis, double rate, Integer count, String detail, boolean ignore) {
        Rule rule = new Rule("fault-" + nextId++, method == null ? null : method.toUpperCase(), pathPattern, status,
                retryAfterSeconds, latencyMillis, rate, count, 0, detail, ignore);
        rules.add(new Active(rule));
        return rule;
    }

    public synchronized List<Rule> list() {
        return rules.stream().map(a -> new Rule(a.rule.id(), a.rule.method(), a.rule.pathPattern(), a.rule.status(),
                a.rule.retryAfterSeconds(), a.rule.latencyMs(), a.rule.rate(), a.rule.count(), a.fired.get(),
                a.rule.detail(), a.rule.ignore())).toList();
    }

    public synchronized void clear() {
        rules.clear();
    }

    /** The error or latency fault for a request (rules with {@code ignore} are left to {@link #ignores}). */
    public synchronized Optional<Fault> match(String method, String path) {
        return fire(method, path, false)
                .map(r -> new Fault(r.status(), r.retryAfterSeconds(), r.latencyMs(), r.detail()));
    }

    /**
     * Whether this request is to be answered as usual but not carried out (an {@code ignore} rule matches it and
     * fires). Asked by the endpoints that honour it, after their own checks.
     */
    public synchronized boolean ignores(String method, String path) {
        return fire(method, path, true).isPresent();
    }

    private Optional<Rule> fire(String method, String path, boolean ignoring) {
        for (Active a : rules) {
            Rule r = a.rule;
            if (r.ignore() == ignoring && (r.method() == null || r.method().equals(method))
                    && a.regex.matcher(path).matches()
                    && (r.count() == null || a.fired.get() < r.count())
                    && (r.rate() >= 1.0 || random.nextDouble() < r.rate())) {
                a.fired.incrementAndGet();
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
