package dev.flow.submitter.service;

import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.money.Money;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.flow.model.instance.InstanceType.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Choosing among catalog offers (the live fetch is covered by TaskResourceTest against the emulator). */
class InstanceCatalogTest {

    static InstanceType type(String fid, String name, int gpus, int memory) {
        return new InstanceType(fid, name, 8, "x86", 100, gpus, "A100", memory, "SXM", 100, null, 0, 0);
    }

    static Auction auction(String typeFid, String region, int capacity, String price) {
        return new Auction("auc_" + typeFid, typeFid, region, capacity, Money.parse(price), null, false, null);
    }

    final List<InstanceType> types = List.of(
            type("it_a1east", "a100-80gb.sxm.1x", 1, 80), type("it_a1west", "a100-80gb.sxm.1x", 1, 80),
            type("it_a8east", "a100-80gb.sxm.8x", 8, 80), type("it_h8east", "h100-80gb.sxm.8x", 8, 80),
            type("it_weird", "mystery-gpu.1x", 1, 24));
    final List<InstanceCatalog.Offer> offers = InstanceCatalog.join(types, List.of(
            auction("it_a1east", "us-east1-a", 0, "$1.00"), auction("it_a1west", "us-west1-a", 4, "$1.50"),
            auction("it_a8east", "us-east1-a", 2, "$9.00"), auction("it_h8east", "us-east1-a", 2, "$12.00"),
            auction("it_weird", "us-east1-a", 9, "$0.10")));
    final InstanceCatalog catalog = new InstanceCatalog(null, java.util.Optional.empty());

    @Test
    void cheapestRegionWithCapacityWins() {
        Placement p = catalog.choose(offers, parse("a100"), null, null, 1);
        assertThat(p.region()).isEqualTo("us-west1-a");
        assertThat(p.instanceTypeFid()).isEqualTo("it_a1west");
        assertThat(p.marketPrice()).isEqualTo(Money.parse("$1.50"));
    }

    @Test
    void aGivenRegionIsKeptEvenWithoutCapacity() {
        Placement p = catalog.choose(offers, parse("1xa100"), null, "us-east1-a", 1);
        assertThat(p.instanceTypeFid()).isEqualTo("it_a1east");
    }

    @Test
    void memoryPicksTheCheapestLargeEnoughType() {
        assertThat(catalog.choose(offers, null, 100, null, 1).instanceTypeName()).isEqualTo("a100-80gb.sxm.8x");
        assertThat(catalog.choose(offers, null, 20, null, 1).instanceTypeName()).isEqualTo("mystery-gpu.1x");
    }

    @Test
    void unofferedTypeIsNotFoundWithClosestOfferedNames() {
        assertThatThrownBy(() -> catalog.choose(offers, parse("8xb200"), null, null, 1))
                .isInstanceOfSatisfying(ResourceNotFoundError.class,
                        e -> assertThat(e.suggestions()).isNotEmpty().allSatisfy(s -> assertThat(
                                List.of("a100", "8xa100", "8xh100", "mystery-gpu.1x")).contains(s)));
    }

    @Test
    void unknownRegionNamesTheRegionsThatOfferIt() {
        assertThatThrownBy(() -> catalog.choose(offers, parse("8xh100"), null, "us-west1-b", 1))
                .isInstanceOfSatisfying(ValidationError.class, e -> {
                    assertThat(e.errors()).singleElement().satisfies(f -> {
                        assertThat(f.field()).isEqualTo("region");
                        assertThat(f.reason()).contains("us-east1-a");
                    });
                });
    }

    @Test
    void typeByFidMatchesOnlyThatFid() {
        List<InstanceCatalog.Offer> withFid = InstanceCatalog.join(
                List.of(type("it_A1b2C3d4E5f6G7h8", "a100-80gb.sxm.1x", 1, 80), types.get(1)),
                List.of(auction("it_A1b2C3d4E5f6G7h8", "eu-central1-a", 1, "$5.00"),
                        auction("it_a1west", "us-west1-a", 4, "$1.50")));
        Placement p = catalog.choose(withFid, parse("it_A1b2C3d4E5f6G7h8"), null, null, 1);
        assertThat(p.instanceTypeFid()).isEqualTo("it_A1b2C3d4E5f6G7h8");
        assertThat(p.displayName()).isEqualTo("a100");
    }

    @Test
    void availableOffersHaveCapacityMatchEveryCriterionAndComeCheapestFirst() {
        InstanceFilter any = new InstanceFilter(null, null, null, null, null, null);
        assertThat(catalog.select(offers, any, 10)).extracting(o -> o.type().fid())
                .containsExactly("it_weird", "it_a1west", "it_a8east", "it_h8east"); // it_a1east: no capacity
        assertThat(catalog.select(offers, any, 2)).hasSize(2);
        assertThat(catalog.select(offers, new InstanceFilter(null, 8, null, null, null,
                dev.flow.model.instance.GpuType.A100), 10)).extracting(o -> o.type().fid()).containsExactly("it_a8east");
        assertThat(catalog.select(offers, new InstanceFilter(parse("a100"), null, Money.parse("$1.50"), "us-west1-a",
                80, null), 10)).extracting(o -> o.type().fid()).containsExactly("it_a1west");
        assertThat(catalog.select(offers, new InstanceFilter(null, null, Money.parse("$1.49"), null, 80, null), 10))
                .isEmpty();
        assertThatThrownBy(() -> catalog.select(offers, new InstanceFilter(null, null, null, "us-east1-b", null, null),
                10)).isInstanceOf(ValidationError.class).hasMessageContaining("us-east1-b")
                .satisfies(e -> assertThat(((ValidationError) e).suggestions()).contains("us-east1-a"));
    }
}
