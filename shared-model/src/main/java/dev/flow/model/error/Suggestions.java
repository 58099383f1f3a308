package dev.flow.model.error;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** "Did you mean" ranking by edit distance (Apache Commons Text), shared by instance types and field names. */
public final class Suggestions {

    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private Suggestions() {
    }

    /**
     * The {@code limit} candidates closest to {@code input} (case-insensitive), nearest first; ties keep the
     * candidates' order, so callers list preferred spellings first.
     */
    public static List<String> closest(String input, Collection<String> candidates, int limit) {
        String needle = input == null ? "" : input.strip().toLowerCase(Locale.ROOT);
        return candidates.stream()
                .sorted(Comparator.comparingInt((String c) -> DISTANCE.apply(needle, c.toLowerCase(Locale.ROOT))))
                .limit(limit)
                .toList();
    }

    /** The closest candidate if it is within {@code maxDistance} edits, else null. */
    public static String closestWithin(String input, Collection<String> candidates, int maxDistance) {
        List<String> best = closest(input, candidates, 1);
        if (best.isEmpty()) {
            return null;
        }
        String candidate = best.getFirst();
        int d = DISTANCE.apply(input.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
        return d <= maxDistance ? candidate : null;
    }
}
