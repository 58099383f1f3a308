package dev.flow.mithril.client.it;

import dev.flow.mithril.client.MithrilApiException;
import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.CreateVolumeRequest;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.mithril.client.model.Volume;
import dev.flow.model.error.FlowTimeoutError;
import dev.flow.model.money.Money;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static dev.flow.mithril.client.it.ClientFixture.all;
import static dev.flow.mithril.client.it.ClientFixture.get;
import static dev.flow.mithril.client.it.ClientFixture.shortId;
import static dev.flow.mithril.client.it.ClientFixture.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Injected 429/503/504 and slow answers: recovered, and never a second bid or volume for one name. */
@ExtendWith(EmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetryIT {

    private static final String BIDS = "/v2/spot/bids";

    private ClientFixture fx;
    private String project;
    private String sshKey;
    private Auction market;

    @BeforeAll
    void setUp(EmulatorServer emulator) {
        fx = new ClientFixture(emulator);
        project = fx.projectFid("client-faults");
        sshKey = fx.sshKey(project);
        // below the market: the bids stay Open, these tests are about the create call only
        market = fx.market("a100-80gb.sxm.1x", "eu-central1-a");
    }

    @AfterEach
    void clearFaults() {
        fx.admin.clearFaults();
    }

    @AfterAll
    void tearDown() {
        fx.close();
    }

    @Test
    void rateLimitedCreateHonoursRetryAfterAndPlacesOneBid() {
        String name = uniqueName("r429");
        long postsBefore = fx.admin.requests("POST " + BIDS);
        fx.admin.fail("POST", BIDS, 429, 1, 2);

        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("0.05"), 1, name, sshKey, List.of())));

        assertThat(bid.name()).isEqualTo(name);
        assertThat(fx.admin.requests("POST " + BIDS) - postsBefore).isEqualTo(3);
        assertThat(bidsNamed(name)).extracting(Bid::fid).containsExactly(bid.fid());
    }

    @Test
    void unavailableCreateIsRetriedAfterCheckingByNameAndPlacesOneBid() {
        String name = uniqueName("r503");
        long postsBefore = fx.admin.requests("POST " + BIDS);
        long listsBefore = fx.admin.requests("GET " + BIDS);
        fx.admin.fail("POST", BIDS, 503, null, 3);

        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("0.05"), 1, name, sshKey, List.of())));

        assertThat(fx.admin.requests("POST " + BIDS) - postsBefore).isEqualTo(4);
        // every re-post was preceded by a look-up by name
        assertThat(fx.admin.requests("GET " + BIDS) - listsBefore).isGreaterThanOrEqualTo(3);
        assertThat(bidsNamed(name)).extracting(Bid::fid).containsExactly(bid.fid());
    }

    @Test
    void aCreateThatTimesOutIsLookedUpBeforeItIsPostedAgain(EmulatorServer emulator) {
        String name = uniqueName("slow");
        long postsBefore = fx.admin.requests("POST " + BIDS);
        long listsBefore = fx.admin.requests("GET " + BIDS);
        // the emulator holds the first POST 1.3 s; the client gives up waiting after 1 s
        fx.admin.delay("POST", BIDS, 1300, 1);
        try (MithrilClient impatient = MithrilClient.create(ClientFixture.config(emulator, EmulatorServer.API_KEY)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)))) {

            Bid bid = get(impatient.createBid(fx.bid(project, market, Money.of("0.05"), 1, name, sshKey, List.of())));

            assertThat(bid.name()).isEqualTo(name);
            assertThat(fx.admin.requests("GET " + BIDS) - listsBefore).isGreaterThanOrEqualTo(1);
            assertThat(fx.admin.requests("POST " + BIDS) - postsBefore).isBetween(1L, 2L);
            assertThat(bidsNamed(name)).extracting(Bid::fid).containsExactly(bid.fid());
        }
    }

    @Test
    void aBidAnEarlierAttemptAlreadyPlacedIsAdoptedNotPlacedTwice() {
        String name = uniqueName("adopt");
        // what a lost answer leaves behind: the bid exists, the caller never heard of it
        Bid earlier = get(fx.client.createBid(fx.bid(project, market, Money.of("0.05"), 1, name, sshKey, List.of())));
        long postsBefore = fx.admin.requests("POST " + BIDS);
        fx.admin.fail("POST", BIDS, 503, null, 1);

        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("0.05"), 1, name, sshKey, List.of())));

        assertThat(bid.fid()).isEqualTo(earlier.fid());
        assertThat(fx.admin.requests("POST " + BIDS) - postsBefore).isEqualTo(1);
        assertThat(bidsNamed(name)).extracting(Bid::fid).containsExactly(earlier.fid());
    }

    @Test
    void aTerminatedBidOfTheSameNameIsNotAdopted() {
        String name = uniqueName("reuse");
        Bid old = get(fx.client.createBid(fx.bid(project, market, Money.of("0.05"), 1, name, sshKey, List.of())));
        get(fx.client.cancelBid(old.fid()));
        fx.admin.fail("POST", BIDS, 503, null, 1);

        Bid fresh = get(fx.client.createBid(fx.bid(project, market, Money.of("0.05"), 1, name, sshKey, List.of())));

        assertThat(fresh.fid()).isNotEqualTo(old.fid());
        assertThat(fresh.status()).isNotEqualTo(dev.flow.mithril.client.model.BidStatus.TERMINATED);
        assertThat(bidsNamed(name)).extracting(Bid::fid).containsExactlyInAnyOrder(old.fid(), fresh.fid());
    }

    @Test
    void unavailableVolumeCreateMakesOneVolume() {
        String name = "vol-" + shortId();
        fx.admin.fail("POST", "/v2/volumes", 503, null, 2);

        Volume volume = get(fx.client.createVolume(
                new CreateVolumeRequest(name, project, DiskInterface.BLOCK, market.region(), 5)));

        assertThat(get(fx.client.listVolumes(project, market.region(), false)))
                .filteredOn(v -> v.name().equals(name)).extracting(Volume::fid).containsExactly(volume.fid());
        get(fx.client.deleteVolume(volume.fid()));
    }

    @Test
    void safeReadsAndDeletesRecoverFromServerErrors() {
        long before = fx.admin.requests("GET /v2/projects");
        fx.admin.fail("GET", "/v2/projects", 503, null, 2);
        fx.admin.fail("GET", "/v2/spot/availability", 500, null, 1);
        fx.admin.fail("GET", "/v2/spot/bids/*", 429, 1, 1);

        assertThat(get(fx.client.projects())).isNotEmpty();
        assertThat(fx.admin.requests("GET /v2/projects") - before).isEqualTo(3);
        assertThat(get(fx.client.spotAvailability())).isNotEmpty();

        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("0.05"), 1, uniqueName("del"), sshKey,
                List.of())));
        assertThat(get(fx.client.getBid(bid.fid())).fid()).isEqualTo(bid.fid());
        fx.admin.fail("DELETE", "/v2/spot/bids/*", 502, null, 1);
        get(fx.client.cancelBid(bid.fid()));
        assertThat(get(fx.client.getBid(bid.fid())).status())
                .isEqualTo(dev.flow.mithril.client.model.BidStatus.TERMINATED);
    }

    @Test
    void whenRetriesRunOutTheStatusIsReported() {
        long before = fx.admin.requests("GET /v2/me");
        fx.admin.fail("GET", "/v2/me", 503, null, 50);

        Throwable failure = catchThrowable(() -> get(fx.client.me()));

        assertThat(failure).isInstanceOfSatisfying(MithrilApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.detail()).isEqualTo("Service Unavailable");
            assertThat(e.requestId()).isNotBlank();
        });
        assertThat(fx.admin.requests("GET /v2/me") - before).isEqualTo(1 + ClientFixture.FAST_RETRY.maxRetries());

        fx.admin.clearFaults();
        fx.admin.fail("GET", "/v2/me", 504, null, 50);
        assertThat(catchThrowable(() -> get(fx.client.me()))).isInstanceOf(FlowTimeoutError.class);
    }

    @Test
    void aServerSlowerThanTheRequestTimeoutIsATimeoutError(EmulatorServer emulator) {
        fx.admin.delay("GET", "/v2/me", 3000, 10);
        try (MithrilClient impatient = MithrilClient.create(ClientFixture.config(emulator, EmulatorServer.API_KEY)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300))
                .withRetry(new dev.flow.mithril.client.RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10),
                        Duration.ofSeconds(1))))) {

            assertThat(catchThrowable(() -> get(impatient.me()))).isInstanceOf(FlowTimeoutError.class)
                    .hasMessageContaining("did not answer in time");
        }
    }

    @Test
    void clientErrorsAreNeverRetried() {
        long before = fx.admin.requests("GET /v2/spot/bids/{bid_fid}");

        catchThrowable(() -> get(fx.client.getBid("bid_missing0000000")));

        assertThat(fx.admin.requests("GET /v2/spot/bids/{bid_fid}") - before).isEqualTo(1);
    }

    private List<Bid> bidsNamed(String name) {
        return all(fx.client.listBids(BidQuery.inProject(project).withName(name)));
    }
}
