package dev.flow.emulator.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts /v2 requests per "METHOD /path/{template}" — the benchmarks count Mithril calls with it. */
@ApplicationScoped
public class RequestCounter {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void count(String endpoint) {
        counts.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public void clear() {
        counts.clear();
    }
}
