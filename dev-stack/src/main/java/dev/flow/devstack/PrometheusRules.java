package dev.flow.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Ties the alerts of {@code k8s/monitoring/prometheus-rules.yaml} to what the services really expose: the metric
 * names of each rule's PromQL expression (a small tokenizer, not a full PromQL parser), and the metric names of a
 * {@code /q/metrics} scrape. A rule whose selectors name {@code service="X"} is about service X; one naming no
 * service is about every service (e.g. the Kafka clients' metrics).
 */
public final class PrometheusRules {

    /** One alerting rule: its name, the service it is about (empty: every service) and the metrics it reads. */
    public record Rule(String alert, String expr, Optional<String> service, Set<String> metrics) {
    }

    /** PromQL words that are not metric names: aggregations, binary operators, modifiers, literals. */
    private static final Set<String> KEYWORDS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio", "and", "or", "unless",
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "atan2", "inf", "nan");
    /** Keywords followed by a parenthesised list of label names (not metrics). */
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");
    private static final Pattern SERVICE_MATCHER = Pattern.compile("\\bservice\\s*=\\s*\"([^\"]*)\"");

    private PrometheusRules() {
    }

    /** The repository's rules file, found from a module directory (the working directory of its tests). */
    public static Path rulesFile() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("k8s/monitoring/prometheus-rules.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("k8s/monitoring/prometheus-rules.yaml not found above the working dir");
        }
        return dir.resolve("k8s/monitoring/prometheus-rules.yaml");
    }

    /** Every alerting rule of a PrometheusRule manifest. */
    public static List<Rule> alerts(Path file) throws IOException {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        List<Rule> rules = new ArrayList<>();
        for (JsonNode group : doc.path("spec").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.hasNonNull("alert")) {
                    String expr = rule.path("expr").asText();
                    Matcher service = SERVICE_MATCHER.matcher(expr);
                    rules.add(new Rule(rule.path("alert").asText(), expr,
                            service.find() ? Optional.of(service.group(1)) : Optional.empty(), metricNames(expr)));
                }
            }
        }
        return rules;
    }

    /**
     * What the alerts about {@code service} read but its scrape does not expose, as "alert: metric" (empty: all
     * there). A name matches a sample name exactly, so a counter is named with {@code _total} in the rule, a
     * histogram with {@code _bucket}/{@code _count}/{@code _sum}, as Prometheus stores them.
     */
    public static List<String> unexposed(String service, String scrape) throws IOException {
        Set<String> exposed = exposedNames(scrape);
        List<String> missing = new ArrayList<>();
        for (Rule rule : alerts(rulesFile())) {
            if (rule.service().isEmpty() || rule.service().get().equals(service)) {
                rule.metrics().stream().filter(m -> !exposed.contains(m))
                        .forEach(m -> missing.add(rule.alert() + ": " + m));
            }
        }
        return missing;
    }

    /**
     * The metric names of a PromQL expression: identifiers standing alone or followed by a selector {@code {...}},
     * minus functions (an identifier followed by {@code (}), keywords and label names (in selectors, in
     * {@code by (...)} lists); strings, durations ({@code [5m]}) and numbers are skipped.
     */
    public static Set<String> metricNames(String expr) {
        Set<String> names = new LinkedHashSet<>();
        int i = 0;
        int n = expr.length();
        while (i < n) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
            } else if (c == '{') {
                i = skipTo(expr, i, '}');
            } else if (c == '[') {
                i = skipTo(expr, i, ']');
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
                // a number, with an exponent or a duration unit (1e3, 5m): letters that follow belong to it
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
                    i++;
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_'
                        || expr.charAt(i) == ':')) {
                    i++;
                }
                String word = expr.substring(start, i);
                int next = skipSpaces(expr, i);
                boolean call = next < n && expr.charAt(next) == '(';
                if (LABEL_LISTS.contains(word.toLowerCase()) && call) {
                    i = skipTo(expr, next, ')');
                } else if (!call && !KEYWORDS.contains(word.toLowerCase())) {
                    names.add(word);
                }
            } else {
                i++;
            }
        }
        return names;
    }

    /** The metric names of a Prometheus text exposition (each sample line's name; comments skipped). */
    public static Set<String> exposedNames(String scrape) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /**
     * A service's Prometheus scrape. The one place that knows how to reach {@code /q/metrics}: if the endpoint moves
     * (a management port) or needs a token, adapt it here.
     */
    public static String scrape(URI baseUrl) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            // /q/metrics is for the platform operator only (service-support's OperatorEndpoints): scrape as
            // Prometheus does, with an operator token of the tests' shared signer
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(baseUrl.resolve("/q/metrics"))
                            .header("Authorization", "Bearer " + DevJwt.shared().operatorToken("prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + baseUrl.resolve("/q/metrics") + " answered " + response.statusCode());
            }
            return response.body();
        }
    }

    private static int skipString(String s, int i) {
        char quote = s.charAt(i);
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != quote) {
            j += s.charAt(j) == '\\' ? 2 : 1;
        }
        return j + 1;
    }

    private static int skipTo(String s, int i, char close) {
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != close) {
            j = s.charAt(j) == '"' || s.charAt(j) == '\'' ? skipString(s, j) : j + 1;
        }
        return j + 1;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
