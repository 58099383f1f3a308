package dev.flow.emulator.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Instance types Mithril sells (names and sizes from NOTES §5), each offered in every region under a region-specific
 * {@code it_} FID, as the real API does.
 */
public final class Catalog {

    public static final List<String> REGIONS = List.of("us-central1-a", "us-central1-b", "eu-central1-a", "us-central2-a");

    /** A sellable shape; {@code baseCents} is the typical spot price per instance-hour. */
    public record Shape(String name, int numGpus, String gpuType, int gpuMemoryGb, int numCpus, int ramGb,
                        int localStorageGb, String networkType, int ibCount, long baseCents) {
    }

    /** One (shape, region) offer with its own instance-type and auction FIDs. */
    public record Offer(String instanceTypeFid, String auctionFid, Shape shape, String region) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("a100-80gb.sxm.1x", 1, "A100", 80, 24, 225, 1_500, null, 0, 90),
            new Shape("a100-80gb.sxm.2x", 2, "A100", 80, 48, 450, 3_000, null, 0, 180),
            new Shape("a100-80gb.sxm.4x", 4, "A100", 80, 96, 900, 6_000, null, 0, 360),
            new Shape("a100-80gb.sxm.8x", 8, "A100", 80, 192, 1_800, 12_000, "InfiniBand", 8, 720),
            new Shape("h100-80gb.sxm.1x", 1, "H100", 80, 20, 226, 1_500, null, 0, 100),
            new Shape("h100-80gb.sxm.8x", 8, "H100", 80, 168, 1_814, 12_500, "InfiniBand", 8, 1_203),
            new Shape("ccs-h200.sxm.1x", 1, "H200", 141, 21, 200, 1_500, null, 0, 101),
            new Shape("ccs-h200.sxm.8x", 8, "H200", 141, 168, 1_600, 12_500, "InfiniBand", 8, 1_726),
            new Shape("b200-192gb.sxm.1x", 1, "B200", 192, 28, 250, 3_500, null, 0, 250),
            new Shape("b200-192gb.sxm.8x", 8, "B200", 192, 224, 2_000, 28_000, "InfiniBand", 8, 2_000));

    private final List<Offer> offers;

    public Catalog(Fids fids) {
        List<Offer> all = new ArrayList<>();
        for (Shape shape : SHAPES) {
            for (String region : REGIONS) {
                String key = shape.name() + "@" + region;
                all.add(new Offer(fids.stable("it_", key), fids.stable("auc_", key), shape, region));
            }
        }
        this.offers = List.copyOf(all);
    }

    public List<Offer> offers() {
        return offers;
    }

    public Optional<Offer> byInstanceTypeFid(String fid) {
        return offers.stream().filter(o -> o.instanceTypeFid().equals(fid)).findFirst();
    }

    /** By FID, or by name in a region (admin API convenience). */
    public Optional<Offer> find(String typeFidOrName, String region) {
        return offers.stream()
                .filter(o -> o.instanceTypeFid().equals(typeFidOrName)
                        || (o.shape().name().equals(typeFidOrName) && o.region().equals(region)))
                .findFirst();
    }
}
