package dev.flow.devstack.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A generator of values from a seeded random source: the same seed gives the same cases, so a failing run is
 * reproduced by passing its printed seed ({@code -Dflow.fuzz.seed=...}).
 */
@FunctionalInterface
public interface Gen<T> {

    T next(SplittableRandom random);

    default <R> Gen<R> map(Function<T, R> f) {
        return r -> f.apply(next(r));
    }

    /** {@code count} values drawn from a source seeded with {@code seed}. */
    default List<T> sample(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<T> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(next(random));
        }
        return out;
    }

    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return r -> values[r.nextInt(values.length)];
    }

    static <T> Gen<T> of(List<T> values) {
        return r -> values.get(r.nextInt(values.size()));
    }

    /** One of {@code gens}, each as likely as its weight; pairs of (weight, gen). */
    static <T> Gen<T> weighted(Object... weightsAndGens) {
        int total = 0;
        for (int i = 0; i < weightsAndGens.length; i += 2) {
            total += (Integer) weightsAndGens[i];
        }
        int sum = total;
        return r -> {
            int pick = r.nextInt(sum);
            for (int i = 0; i < weightsAndGens.length; i += 2) {
                pick -= (Integer) weightsAndGens[i];
                if (pick < 0) {
                    @SuppressWarnings("unchecked")
                    Gen<T> gen = (Gen<T>) weightsAndGens[i + 1];
                    return gen.next(r);
                }
            }
            throw new IllegalStateException("unreachable");
        };
    }

    static Gen<Integer> between(int min, int max) {
        return r -> r.nextInt(min, max + 1);
    }

    /** A string of {@code min..max} characters, each drawn from {@code chars}. */
    static Gen<String> string(int min, int max, Gen<Integer> codePoint) {
        return r -> {
            int length = r.nextInt(min, max + 1);
            StringBuilder out = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                out.appendCodePoint(codePoint.next(r));
            }
            return out.toString();
        };
    }

    /** The seed of this run: {@code -Dflow.fuzz.seed}, else a fresh one (printed by the suites). */
    static long seed() {
        String given = System.getProperty("flow.fuzz.seed");
        return given != null && !given.isBlank() ? Long.parseLong(given.strip()) : System.nanoTime();
    }
}
