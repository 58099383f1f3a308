package dev.flow.model.instance;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.instance.InstanceTypeSpec.Named;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses the instance-type strings users write (seed "Instance Types", NOTES §6.4) into an {@link InstanceTypeSpec}.
 *
 * <p>Accepted, case-insensitive, surrounding blanks ignored:
 * <ul>
 *   <li>short names {@code a100}, {@code 1xa100}, {@code 2xa100}, {@code 4xa100}, {@code 8xa100}, {@code h100}, {@code 8xh100},
 *       {@code h200}, {@code 8xh200}, {@code b200}, {@code 1xb200}...; the reverse {@code a100x8} ≡ {@code 8xa100};</li>
 *   <li>Mithril names {@code a100-80gb.sxm.4x}, {@code h100-80gb.sxm.8x}, {@code h100-80gb.sxm.1x}, {@code h100-80gb.pcie.1x},
 *       {@code ccs-h200.sxm.8x}, {@code b200-192gb.8x} (also spelled {@code b200-192gb.sxm.8x}, {@code h200-141gb.sxm.8x});</li>
 *   <li>memory forms {@code a100-80gb}, {@code a100.80gb.sxm}, {@code h100.80gb.pcie} (the GPU's default configuration);</li>
 *   <li>FIDs {@code it_} + 16 base62 characters, passed through verbatim (resolved against the live catalog later).</li>
 * </ul>
 *
 * <p><b>H100 decision</b> (as the Flow SDK 0.1.x, NOTES §6.4): H100 is sold as 8-GPU nodes, so {@code h100}, {@code 1xh100},
 * {@code 2xh100}, {@code 4xh100} all mean {@code 8xh100}. A single H100 is only reachable by its Mithril name
 * ({@code h100-80gb.sxm.1x}, {@code h100-80gb.pcie.1x}). Likewise {@code b200} means {@code 8xb200}.
 *
 * <p>Anything else ({@code gpu.nvidia.a100}, {@code nvidia-a100}, {@code 3xa100}) is a {@link ValidationError} on field
 * {@code instance_type} whose suggestions are the closest valid names.
 *
 * <p>To resolve a spec against Mithril's catalog, parse each catalog name with this class and compare the
 * {@link Named} records, rather than comparing strings: that tolerates both spellings of B200/H200 names.
 */
public final class InstanceType {

    public static final String FIELD = "instance_type";
    private static final int SUGGESTION_COUNT = 3;

    private static final Map<String, Named> ALIASES = new LinkedHashMap<>();
    private static final Map<Named, String> SHORT_NAMES = new LinkedHashMap<>();
    /** What suggestions are drawn from: the preferred short names, then the Mithril names. */
    private static final List<String> SUGGESTABLE;

    static {
        offer(GpuType.A100, Interconnect.SXM, 1, "a100", "1xa100", "a100x1", "a100-80gb", "a100.80gb.sxm");
        offer(GpuType.A100, Interconnect.SXM, 2, "2xa100", "a100x2");
        offer(GpuType.A100, Interconnect.SXM, 4, "4xa100", "a100x4");
        offer(GpuType.A100, Interconnect.SXM, 8, "8xa100", "a100x8");
        offer(GpuType.H100, Interconnect.SXM, 8, "8xh100", "h100", "h100x8", "1xh100", "h100x1", "2xh100", "h100x2",
                "4xh100", "h100x4", "h100-80gb", "h100.80gb.sxm");
        offer(GpuType.H100, Interconnect.SXM, 1, null);
        offer(GpuType.H100, Interconnect.PCIE, 1, null, "h100.80gb.pcie");
        offer(GpuType.H200, Interconnect.SXM, 1, "h200", "1xh200", "h200x1", "h200-141gb", "h200.141gb.sxm");
        offer(GpuType.H200, Interconnect.SXM, 8, "8xh200", "h200x8");
        offer(GpuType.B200, Interconnect.SXM, 8, "8xb200", "b200", "b200x8", "b200-192gb");
        offer(GpuType.B200, Interconnect.SXM, 1, "1xb200", "b200x1");
        offer(GpuType.B200, Interconnect.SXM, 2, "2xb200", "b200x2");
        offer(GpuType.B200, Interconnect.SXM, 4, "4xb200", "b200x4");

        LinkedHashSet<String> suggestable = new LinkedHashSet<>(SHORT_NAMES.values());
        SHORT_NAMES.keySet().forEach(n -> suggestable.add(n.mithrilName()));
        SUGGESTABLE = List.copyOf(suggestable);
    }

    private InstanceType() {
    }

    private static void offer(GpuType gpu, Interconnect ic, int count, String shortName, String... aliases) {
        Named named = new Named(gpu, count, ic);
        SHORT_NAMES.put(named, shortName != null ? shortName : named.mithrilName());
        List<String> all = new ArrayList<>();
        if (shortName != null) {
            all.add(shortName);
        }
        all.addAll(List.of(aliases));
        all.add(named.mithrilName());
        // the generic "<gpu>-<mem>gb.<ic>.<n>x" spelling: covers b200-192gb.sxm.8x and h200-141gb.sxm.8x
        all.add(gpu.token() + "-" + gpu.memoryGb() + "gb." + ic.token() + "." + count + "x");
        for (String alias : all) {
            Named previous = ALIASES.putIfAbsent(alias, named);
            if (previous != null && !previous.equals(named)) {
                throw new IllegalStateException("instance-type alias " + alias + " is ambiguous");
            }
        }
    }

    static String shortNameOf(Named named) {
        String s = SHORT_NAMES.get(named);
        return s != null ? s : named.mithrilName();
    }

    /**
     * Parses an instance-type string.
     *
     * @throws ValidationError on field {@code instance_type}, with the closest valid names as suggestions
     */
    public static InstanceTypeSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new ValidationError("instance type is missing",
                    List.of(new FieldError(FIELD, "is required", "a100")), List.of("a100", "8xh100"));
        }
        String trimmed = text.strip();
        if (trimmed.startsWith("it_")) {
            if (InstanceTypeSpec.Fid.FORMAT.matcher(trimmed).matches()) {
                return new InstanceTypeSpec.Fid(trimmed);
            }
            throw new ValidationError("\"" + trimmed + "\" is not an instance-type FID",
                    List.of(FieldError.of(FIELD, "an instance-type FID is `it_` followed by 16 letters or digits, e.g. "
                            + "`it_MsIRhxj3ccyVWGfP`")));
        }
        Named named = ALIASES.get(trimmed.toLowerCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        List<String> suggestions = suggest(trimmed);
        throw new ValidationError("unknown instance type \"" + trimmed + "\"; did you mean "
                + String.join(", ", suggestions) + "?",
                List.of(new FieldError(FIELD, "unknown instance type `" + trimmed + "`", suggestions.getFirst())),
                suggestions);
    }

    /** True when {@link #parse} accepts {@code text}. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (ValidationError e) {
            return false;
        }
    }

    /**
     * The valid names closest to {@code text}, best first. When the text names a known GPU ({@code nvidia-a100}), that
     * GPU's names come first; otherwise the nearest names by edit distance.
     */
    public static List<String> suggest(String text) {
        String lower = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        List<String> result = new ArrayList<>();
        for (GpuType gpu : GpuType.values()) {
            if (lower.contains(gpu.token())) {
                // the GPU is clear, the spelling is not: offer its names, nearest first (ties in catalog order)
                List<String> ofGpu = SUGGESTABLE.stream().filter(n -> ALIASES.get(n).gpuType() == gpu).toList();
                result.addAll(Suggestions.closest(lower, ofGpu, SUGGESTION_COUNT));
            }
        }
        for (String s : Suggestions.closest(lower, SUGGESTABLE, SUGGESTION_COUNT)) {
            if (!result.contains(s)) {
                result.add(s);
            }
        }
        return List.copyOf(result.subList(0, Math.min(SUGGESTION_COUNT, result.size())));
    }

    /** Every known GPU configuration, e.g. to pick one by {@code min_gpu_memory_gb}. */
    public static List<Named> offerings() {
        return List.copyOf(SHORT_NAMES.keySet());
    }

    /** Every accepted spelling (lowercase), FIDs aside. */
    public static Set<String> acceptedNames() {
        return Collections.unmodifiableSet(ALIASES.keySet());
    }
}
