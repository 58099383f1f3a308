package dev.flow.submitter.service;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.instance.InstanceTypeSpec;
import dev.flow.model.money.Money;
import dev.flow.service.config.MithrilSettings;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Resolves what a task asks for against Mithril's live catalog ({@code GET /v2/instance-types} +
 * {@code GET /v2/spot/availability}). Catalog names are parsed with shared-model's parser and compared as
 * {@link InstanceTypeSpec.Named} records, never as strings, because FIDs (and spellings) differ per region.
 */
@ApplicationScoped
public class InstanceCatalog {

    private final MithrilClient mithril;
    private final Optional<String> preferredRegion;

    @jakarta.inject.Inject
    public InstanceCatalog(MithrilClient mithril, MithrilSettings settings) {
        this(mithril, settings.defaultRegion());
    }

    /** @param preferredRegion wins ties on price (the seed's {@code MITHRIL_DEFAULT_REGION}) */
    InstanceCatalog(MithrilClient mithril, Optional<String> preferredRegion) {
        this.mithril = mithril;
        this.preferredRegion = preferredRegion;
    }

    /** The live offers: one per (type, region), with its parsed type when the platform knows it. */
    public Uni<List<Offer>> offers() {
        return Uni.combine().all().unis(instanceTypes(), spotAvailability()).asTuple()
                .map(t -> join(t.getItem1(), t.getItem2()));
    }

    /**
     * Mithril's instance types: a catalogue that changes with Mithril's releases, not per request, so it is kept for
     * minutes ({@code quarkus.cache.caffeine."mithril-instance-types".expire-after-write}). Every submit needs it.
     */
    @CacheResult(cacheName = "mithril-instance-types")
    Uni<List<InstanceType>> instanceTypes() {
        return mithril.instanceTypes();
    }

    /**
     * The auctions (price and capacity per type and region). Concurrent submits share one call in flight, and its
     * answer is kept for at most a second or so ({@code ...."mithril-spot-availability".expire-after-write}): a burst
     * of submits pays one call, and a price is never older than that when a limit price is derived from it.
     */
    @CacheResult(cacheName = "mithril-spot-availability")
    Uni<List<Auction>> spotAvailability() {
        return mithril.spotAvailability();
    }

    static List<Offer> join(List<InstanceType> types, List<Auction> auctions) {
        Map<String, InstanceType> byFid = types.stream()
                .collect(Collectors.toMap(InstanceType::fid, Function.identity(), (a, b) -> a));
        List<Offer> offers = new ArrayList<>();
        for (Auction a : auctions) {
            InstanceType type = byFid.get(a.instanceType());
            if (type == null || a.lastInstancePrice() == null) {
                continue;
            }
            InstanceTypeSpec.Named named = null;
            try {
                if (dev.flow.model.instance.InstanceType.parse(type.name()) instanceof InstanceTypeSpec.Named n) {
                    named = n;
                }
            } catch (ValidationError unknownToThePlatform) {
                // a type Mithril sells that the parser does not know: still reachable by FID
            }
            offers.add(new Offer(type, a, named));
        }
        return offers;
    }

    /**
     * The cheapest offer of the requested type: in {@code region} when given (capacity not required: a spot bid may
     * wait for capacity), else in the cheapest region with at least {@code quantity} instances available (the
     * cheapest region of all when none has that many now).
     */
    public Uni<Placement> resolve(InstanceTypeSpec spec, String region, int quantity) {
        return offers().map(offers -> choose(offers, spec, null, region, quantity));
    }

    /** The cheapest type with at least {@code minGpuMemoryGb} GPU memory per instance (all its GPUs together). */
    public Uni<Placement> resolveByMemory(int minGpuMemoryGb, String region, int quantity) {
        return offers().map(offers -> choose(offers, null, minGpuMemoryGb, region, quantity));
    }

    Placement choose(List<Offer> offers, InstanceTypeSpec spec, Integer minGpuMemoryGb, String region, int quantity) {
        Predicate<Offer> wanted = spec != null ? o -> o.matches(spec) : o -> o.gpuMemoryGb() >= minGpuMemoryGb;
        List<Offer> ofType = offers.stream().filter(wanted).toList();
        if (ofType.isEmpty()) {
            throw notOffered(offers, spec, minGpuMemoryGb);
        }
        List<Offer> candidates = ofType;
        if (region != null) {
            candidates = ofType.stream().filter(o -> o.auction().region().equals(region)).toList();
            if (candidates.isEmpty()) {
                List<String> regions = ofType.stream().map(o -> o.auction().region()).distinct().sorted().toList();
                List<String> suggestions = Suggestions.closest(region, regions, 3);
                throw new ValidationError("the instance type is not offered in region " + region,
                        List.of(new FieldError("region", "`" + region + "` does not offer "
                                + describe(spec, minGpuMemoryGb) + "; it is offered in " + String.join(", ", regions),
                                suggestions.isEmpty() ? null : suggestions.getFirst())),
                        suggestions);
            }
        } else {
            List<Offer> withCapacity = ofType.stream().filter(o -> o.auction().capacity() >= quantity).toList();
            if (!withCapacity.isEmpty()) {
                candidates = withCapacity;
            }
        }
        Offer best = candidates.stream().min(priceOrder()).orElseThrow();
        return best.toPlacement();
    }

    /** Cheapest first; on a tie the preferred region, then region and name (a stable answer). */
    private Comparator<Offer> priceOrder() {
        return Comparator.comparing((Offer o) -> o.auction().lastInstancePrice())
                .thenComparing(o -> preferredRegion.map(p -> !p.equals(o.auction().region())).orElse(true))
                .thenComparing(o -> o.auction().region())
                .thenComparing(o -> o.type().name());
    }

    /**
     * What can be bid on now (the seed's {@code find_instances}): offers with capacity that match every criterion
     * given, cheapest first, at most {@code limit}.
     *
     * @throws ValidationError on {@code region} when no offer of the catalog is in that region
     */
    public Uni<List<Offer>> available(InstanceFilter filter, int limit) {
        return offers().map(offers -> select(offers, filter, limit));
    }

    List<Offer> select(List<Offer> offers, InstanceFilter filter, int limit) {
        if (filter.region() != null && offers.stream().noneMatch(o -> o.auction().region().equals(filter.region()))) {
            List<String> regions = offers.stream().map(o -> o.auction().region()).distinct().sorted().toList();
            List<String> suggestions = Suggestions.closest(filter.region(), regions, 3);
            throw new ValidationError("unknown region " + filter.region(), List.of(new FieldError("region",
                    "`" + filter.region() + "` is not a region of the catalog; regions: " + String.join(", ", regions),
                    suggestions.isEmpty() ? null : suggestions.getFirst())), suggestions);
        }
        return offers.stream().filter(o -> o.auction().capacity() > 0).filter(filter::accepts)
                .sorted(priceOrder()).limit(limit).toList();
    }

    /**
     * The region of a resource that names none (a volume): {@code MITHRIL_DEFAULT_REGION} when set, else the region
     * of the cheapest offer with capacity, which is where a task naming no region and no type preference lands most
     * often; the cheapest offer at all when nothing has capacity.
     */
    public Uni<String> defaultRegion() {
        if (preferredRegion.isPresent()) {
            return Uni.createFrom().item(preferredRegion.get());
        }
        return offers().map(offers -> offers.stream().filter(o -> o.auction().capacity() > 0).min(priceOrder())
                .or(() -> offers.stream().min(priceOrder()))
                .map(o -> o.auction().region())
                .orElseThrow(() -> ValidationError.of(FieldError.of("region",
                        "is required: Mithril's catalog offers nothing now to choose a region from"))));
    }

    private static ResourceNotFoundError notOffered(List<Offer> offers, InstanceTypeSpec spec, Integer minGpuMemoryGb) {
        Set<String> names = new LinkedHashSet<>();
        offers.forEach(o -> names.add(o.displayName()));
        if (spec == null) {
            int max = offers.stream().mapToInt(Offer::gpuMemoryGb).max().orElse(0);
            return new ResourceNotFoundError("no instance type offers " + minGpuMemoryGb
                    + " GB of GPU memory; the largest offers " + max + " GB", List.of("min_gpu_memory_gb <= " + max));
        }
        List<String> suggestions = Suggestions.closest(spec.canonical(), names, 3);
        return new ResourceNotFoundError("instance type " + spec.canonical() + " is not offered by Mithril now"
                + (suggestions.isEmpty() ? "" : "; closest offered: " + String.join(", ", suggestions)), suggestions);
    }

    private static String describe(InstanceTypeSpec spec, Integer minGpuMemoryGb) {
        return spec != null ? spec.canonical() : "an instance type with " + minGpuMemoryGb + " GB of GPU memory";
    }

    /** One (type, region) of the catalog. */
    public record Offer(InstanceType type, Auction auction, InstanceTypeSpec.Named named) {

        public boolean matches(InstanceTypeSpec spec) {
            return switch (spec) {
                case InstanceTypeSpec.Fid fid -> fid.fid().equals(type.fid());
                case InstanceTypeSpec.Named n -> n.equals(named);
            };
        }

        int gpuMemoryGb() {
            return type.gpuMemoryGb() * Math.max(1, type.numGpus());
        }

        /** The GPU model as a lowercase token ({@code a100}); Mithril's spelling lowercased for a type the parser does not know. */
        public String gpuToken() {
            if (named != null) {
                return named.gpuType().token();
            }
            return type.gpuType() == null ? null : type.gpuType().strip().toLowerCase(java.util.Locale.ROOT);
        }

        public String displayName() {
            return named != null ? named.shortName() : type.name();
        }

        Placement toPlacement() {
            Money price = auction.lastInstancePrice();
            return new Placement(type.fid(), type.name(), displayName(), auction.region(), price, auction.capacity());
        }
    }
}
