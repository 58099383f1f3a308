package dev.flow.mithril.client.it;

import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.Page;
import dev.flow.mithril.client.model.SortDirection;
import dev.flow.model.money.Money;
import io.smallrye.mutiny.Multi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static dev.flow.mithril.client.it.ClientFixture.all;
import static dev.flow.mithril.client.it.ClientFixture.get;
import static org.assertj.core.api.Assertions.assertThat;

/** More bids than one page can hold (Mithril's limit is 100), followed through {@code next_cursor}. */
@ExtendWith(EmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BidPagingIT {

    private static final int BIDS = 105;

    private ClientFixture fx;
    private String project;
    private List<String> created;

    @BeforeAll
    void placeManyBids(EmulatorServer emulator) {
        fx = new ClientFixture(emulator);
        project = fx.projectFid("client-paging");
        String key = fx.sshKey(project);
        Auction market = fx.market("b200-192gb.sxm.1x", "eu-central1-a");
        // a limit far below the market: the bids stay Open and use no capacity
        created = all(Multi.createFrom().range(0, BIDS).onItem().transformToUniAndConcatenate(i ->
                fx.client.createBid(fx.bid(project, market, Money.of("0.01"), 1, String.format("page-%03d", i), key,
                        List.of()))).map(Bid::fid));
    }

    @AfterAll
    void tearDown() {
        fx.close();
    }

    @Test
    void theMultiFollowsCursorsThroughEveryPage() {
        List<Bid> bids = all(fx.client.listBids(BidQuery.inProject(project).withLimit(20)
                .withSort("created_at", SortDirection.ASC)));

        assertThat(bids).hasSize(BIDS);
        assertThat(bids).extracting(Bid::fid).doesNotHaveDuplicates().containsExactlyElementsOf(created);
        assertThat(bids).extracting(Bid::status).containsOnly(BidStatus.OPEN);
    }

    @Test
    void pageByPageTheCallerSeesEachCallAndTheLastPageHasNoCursor() {
        List<Page<Bid>> pages = new ArrayList<>();
        BidQuery query = BidQuery.inProject(project).withLimit(20);
        Page<Bid> page;
        do {
            page = get(fx.client.listBidsPage(query));
            pages.add(page);
            query = query.withNextCursor(page.nextCursor());
        } while (page.hasNext());

        assertThat(pages).hasSize(6);
        assertThat(pages).extracting(p -> p.data().size()).containsExactly(20, 20, 20, 20, 20, 5);
        assertThat(pages.getLast().nextCursor()).isNull();
        assertThat(pages.stream().flatMap(p -> p.data().stream()).map(Bid::fid).toList())
                .containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void theDefaultPageSizeStillReachesEveryBid() {
        Page<Bid> first = get(fx.client.listBidsPage(BidQuery.inProject(project).withLimit(100)));
        assertThat(first.data()).hasSize(100);
        assertThat(first.hasNext()).isTrue();

        assertThat(all(fx.client.listBids(BidQuery.inProject(project).withLimit(100)))).hasSize(BIDS);
    }

    @Test
    void takingTheFirstItemsDoesNotReadEveryPage() {
        long before = fx.admin.requests("GET /v2/spot/bids");
        List<Bid> firstTwentyFive = fx.client.listBids(BidQuery.inProject(project).withLimit(10)
                        .withSort("created_at", SortDirection.DESC))
                .select().first(25).collect().asList().await().atMost(ClientFixture.WAIT);

        assertThat(firstTwentyFive).hasSize(25);
        assertThat(firstTwentyFive.getFirst().fid()).isEqualTo(created.getLast());
        // 25 items of 10 per page: pages are fetched on demand, so 3 of the 11 pages are read
        assertThat(fx.admin.requests("GET /v2/spot/bids") - before).isEqualTo(3);
    }

    @Test
    void filtersCombineWithPaging() {
        assertThat(all(fx.client.listBids(BidQuery.inProject(project).withName("page-042").withLimit(5))))
                .singleElement().extracting(Bid::fid).isEqualTo(created.get(42));
        assertThat(all(fx.client.listBids(BidQuery.inProject(project).withStatus(BidStatus.ALLOCATED)))).isEmpty();
    }
}
