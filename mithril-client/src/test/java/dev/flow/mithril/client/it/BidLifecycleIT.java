package dev.flow.mithril.client.it;

import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidHistoryEvent;
import dev.flow.mithril.client.model.BidHistoryEventType;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.CurrentPrices;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstancePricingHistory;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.mithril.client.model.Quota;
import dev.flow.mithril.client.model.UpdateBidRequest;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.money.Money;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;

import static dev.flow.mithril.client.it.ClientFixture.all;
import static dev.flow.mithril.client.it.ClientFixture.get;
import static dev.flow.mithril.client.it.ClientFixture.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@ExtendWith(EmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BidLifecycleIT {

    private static final Money WINNING = Money.of("5.00");

    private ClientFixture fx;
    private String project;
    private String sshKey;

    @BeforeAll
    void setUp(EmulatorServer emulator) {
        fx = new ClientFixture(emulator);
        project = fx.projectFid("client-lifecycle");
        sshKey = fx.sshKey(project);
    }

    @AfterAll
    void tearDown() {
        fx.close();
    }

    @Test
    void fullLifecycleFromPlacedToTerminated() {
        Auction market = fx.market("a100-80gb.sxm.1x", "us-central1-b");
        String name = uniqueName("life");

        Bid placed = get(fx.client.createBid(fx.bid(project, market, WINNING, 1, name, sshKey, List.of())));

        assertThat(placed.fid()).startsWith("bid_");
        assertThat(placed.name()).isEqualTo(name);
        assertThat(placed.project()).isEqualTo(project);
        assertThat(placed.limitPrice()).isEqualTo(WINNING);
        assertThat(placed.instanceType()).isEqualTo(market.instanceType());
        assertThat(placed.launchSpecification().sshKeys()).containsExactly(sshKey);
        assertThat(placed.launchSpecification().startupScript()).startsWith("#!/bin/bash");

        Bid allocated = fx.awaitBidStatus(placed.fid(), BidStatus.ALLOCATED);
        assertThat(allocated.instances()).hasSize(1);
        List<Instance> running = fx.awaitInstances(project, placed.fid(), 1, InstanceStatus.STATUS_RUNNING);
        Instance instance = running.getFirst();
        assertThat(instance.fid()).isEqualTo(allocated.instances().getFirst());
        assertThat(instance.bid()).isEqualTo(placed.fid());
        assertThat(instance.name()).startsWith(name);
        assertThat(get(fx.client.instanceStatus(instance.fid())).status()).isEqualTo(InstanceStatus.STATUS_RUNNING);
        assertThat(get(fx.client.bidStatus(placed.fid())).status()).isEqualTo(BidStatus.ALLOCATED);

        // the instance filter narrows: another status excludes it, the right one includes it
        assertThat(all(fx.client.listInstances(InstanceQuery.inProject(project).withBidFidIn(List.of(placed.fid()))
                .withStatusIn(Set.of(InstanceStatus.STATUS_PAUSED))))).isEmpty();
        assertThat(all(fx.client.listInstances(InstanceQuery.inProject(project).withBidFidIn(List.of(placed.fid()))
                .withStatusIn(Set.of(InstanceStatus.STATUS_RUNNING, InstanceStatus.STATUS_STARTING)))))
                .extracting(Instance::fid).containsExactly(instance.fid());

        List<InstanceStatusHistory> statusHistory =
                all(fx.client.instanceStatusHistory(HistoryQuery.forBid(project, placed.fid())));
        assertThat(statusHistory).singleElement().satisfies(h -> {
            assertThat(h.instanceFid()).isEqualTo(instance.fid());
            assertThat(h.events()).extracting(InstanceStatusHistory.Event::status)
                    .startsWith(InstanceStatus.STATUS_NEW).endsWith(InstanceStatus.STATUS_RUNNING);
        });
        List<InstancePricingHistory> pricing =
                all(fx.client.instancePricingHistory(HistoryQuery.forBid(project, placed.fid())));
        assertThat(pricing).singleElement().satisfies(p -> assertThat(p.events()).isNotEmpty()
                .allSatisfy(e -> assertThat(e.priceCents()).isPositive().isLessThanOrEqualTo(WINNING.toCents())));

        get(fx.client.cancelBid(placed.fid()));

        Bid terminated = fx.awaitBidStatus(placed.fid(), BidStatus.TERMINATED);
        assertThat(terminated.deactivatedAt()).isNotNull();
        assertThat(fx.instancesOf(project, placed.fid())).extracting(Instance::status)
                .containsOnly(InstanceStatus.STATUS_TERMINATED);
        assertThat(get(fx.client.bidHistory(placed.fid())).events()).extracting(BidHistoryEvent::eventType)
                .containsSubsequence(BidHistoryEventType.PLACED, BidHistoryEventType.ALLOCATED,
                        BidHistoryEventType.TERMINATED);
        // cancelling twice is harmless (idempotent DELETE)
        get(fx.client.cancelBid(placed.fid()));
        assertThat(get(fx.client.listBidsPage(BidQuery.inProject(project).withName(name))).data())
                .singleElement().extracting(Bid::status).isEqualTo(BidStatus.TERMINATED);
    }

    @Test
    void aTwoInstanceBidGetsBothInstancesOrNone() {
        Auction market = fx.market("a100-80gb.sxm.2x", "us-central1-b");

        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("9.00"), 2, uniqueName("pair"), sshKey,
                List.of())));

        List<Instance> running = fx.awaitInstances(project, bid.fid(), 2, InstanceStatus.STATUS_RUNNING);
        assertThat(running).extracting(Instance::fid).doesNotHaveDuplicates();
        assertThat(running).extracting(Instance::privateIp).doesNotHaveDuplicates();
        assertThat(get(fx.client.getBid(bid.fid())).instances())
                .containsExactlyInAnyOrderElementsOf(running.stream().map(Instance::fid).toList());

        get(fx.client.cancelBid(bid.fid()));
        fx.awaitBidStatus(bid.fid(), BidStatus.TERMINATED);
    }

    @Test
    void pauseAndResumeKeepTheInstances() {
        Auction market = fx.market("h100-80gb.sxm.1x", "us-central1-b");
        Bid bid = get(fx.client.createBid(fx.bid(project, market, WINNING, 1, uniqueName("pause"), sshKey, List.of())));
        String instance = fx.awaitInstances(project, bid.fid(), 1, InstanceStatus.STATUS_RUNNING).getFirst().fid();

        assertThat(get(fx.client.pauseBid(bid.fid())).status()).isEqualTo(BidStatus.PAUSED);
        fx.awaitInstances(project, bid.fid(), 1, InstanceStatus.STATUS_PAUSED);

        get(fx.client.resumeBid(bid.fid()));
        fx.awaitBidStatus(bid.fid(), BidStatus.ALLOCATED);
        assertThat(fx.awaitInstances(project, bid.fid(), 1, InstanceStatus.STATUS_RUNNING))
                .extracting(Instance::fid).containsExactly(instance);
        assertThat(get(fx.client.bidHistory(bid.fid())).events()).extracting(BidHistoryEvent::eventType)
                .containsSubsequence(BidHistoryEventType.ALLOCATED, BidHistoryEventType.PAUSED,
                        BidHistoryEventType.RESUMED, BidHistoryEventType.ALLOCATED);

        Bid repriced = get(fx.client.updateBid(bid.fid(), UpdateBidRequest.limitPrice(Money.of("6.25"))));
        assertThat(repriced.limitPrice()).isEqualTo(Money.of("6.25"));
        assertThat(get(fx.client.bidHistory(bid.fid())).events().getLast()).satisfies(e -> {
            assertThat(e.eventType()).isEqualTo(BidHistoryEventType.LIMIT_PRICE_CHANGED);
            assertThat(e.limitPrice()).isEqualTo(Money.of("6.25"));
        });

        get(fx.client.cancelBid(bid.fid()));
        fx.awaitBidStatus(bid.fid(), BidStatus.TERMINATED);
    }

    @Test
    void aPreemptedBidIsReallocatedOnNewInstances() {
        Auction market = fx.market("ccs-h200.sxm.1x", "us-central1-b");
        Bid bid = get(fx.client.createBid(fx.bid(project, market, WINNING, 1, uniqueName("preempt"), sshKey, List.of())));
        String first = fx.awaitInstances(project, bid.fid(), 1, InstanceStatus.STATUS_RUNNING).getFirst().fid();

        fx.admin.preemptBid(bid.fid());

        fx.awaitInstances(project, bid.fid(), 1, InstanceStatus.STATUS_PREEMPTED);
        Bid again = fx.awaitBidStatus(bid.fid(), BidStatus.ALLOCATED);
        assertThat(again.instances()).hasSize(1).doesNotContain(first);
        assertThat(fx.awaitInstances(project, bid.fid(), 1, InstanceStatus.STATUS_RUNNING))
                .extracting(Instance::fid).containsExactlyElementsOf(again.instances());
        assertThat(get(fx.client.instanceStatus(first)).status()).isEqualTo(InstanceStatus.STATUS_PREEMPTED);
        assertThat(get(fx.client.bidHistory(bid.fid())).events()).extracting(BidHistoryEvent::eventType)
                .containsSubsequence(BidHistoryEventType.ALLOCATED, BidHistoryEventType.PREEMPTED,
                        BidHistoryEventType.ALLOCATED);

        get(fx.client.cancelBid(bid.fid()));
        fx.awaitBidStatus(bid.fid(), BidStatus.TERMINATED);
    }

    @Test
    void accountAndMarketReads() {
        assertThat(get(fx.client.me()).email()).isNotBlank();
        assertThat(get(fx.client.quotas(project))).extracting(Quota::productType).contains("Spot", "Storage");
        Auction market = fx.market("a100-80gb.sxm.1x", "us-central1-a");
        assertThat(market.lastInstancePrice().isPositive()).isTrue();
        CurrentPrices prices = get(fx.client.currentPrices(market.instanceType(), market.region(), 1));
        assertThat(prices.spotPriceCents()).isEqualTo(market.lastInstancePrice().toCents());
        assertThat(prices.totalCapacity()).isPositive();
    }

    @Test
    void unknownBidsAndInvalidRequestsAreTypedErrors() {
        assertThat(catchThrowable(() -> get(fx.client.getBid("bid_doesNotExist0000"))))
                .isInstanceOf(ResourceNotFoundError.class).hasMessageContaining("not found");

        Auction market = fx.market("a100-80gb.sxm.1x", "us-central1-b");
        var bad = new dev.flow.mithril.client.model.CreateBidRequest(project, "eu-central1-a", market.instanceType(),
                WINNING, 1, uniqueName("bad"),
                dev.flow.mithril.client.model.LaunchSpecification.of(List.of("sshkey_nope"), List.of(), null));
        Throwable failure = catchThrowable(() -> get(fx.client.createBid(bad)));

        assertThat(failure).isInstanceOfSatisfying(ValidationError.class, v -> assertThat(v.errors())
                .extracting(e -> e.field())
                .contains("instance_type", "launch_specification.ssh_keys[0]"));
    }
}
