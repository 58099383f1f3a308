package dev.flow.mithril.client.it;

import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidHistoryEvent;
import dev.flow.mithril.client.model.BidHistoryEventType;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.CreateSshKeyRequest;
import dev.flow.mithril.client.model.CreateVolumeRequest;
import dev.flow.mithril.client.model.CreatedSshKey;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.SshKey;
import dev.flow.mithril.client.model.UpdateBidRequest;
import dev.flow.mithril.client.model.Volume;
import dev.flow.model.error.ValidationError;
import dev.flow.model.money.Money;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static dev.flow.mithril.client.it.ClientFixture.get;
import static dev.flow.mithril.client.it.ClientFixture.shortId;
import static dev.flow.mithril.client.it.ClientFixture.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

@ExtendWith(EmulatorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VolumesAndKeysIT {

    private static final String REGION = "us-central1-b";

    private ClientFixture fx;
    private String project;

    @BeforeAll
    void setUp(EmulatorServer emulator) {
        fx = new ClientFixture(emulator);
        project = fx.projectFid("client-volumes");
    }

    @AfterAll
    void tearDown() {
        fx.close();
    }

    @Test
    void aVolumeAttachedThroughABidCannotBeDeletedUntilTheBidEnds() {
        Volume volume = get(fx.client.createVolume(
                new CreateVolumeRequest("data-" + shortId(), project, DiskInterface.BLOCK, REGION, 50)));
        assertThat(volume.fid()).startsWith("vol_");
        assertThat(volume.capacityGb()).isEqualTo(50);
        assertThat(volume.diskInterface()).isEqualTo(DiskInterface.BLOCK);
        assertThat(volume.attached()).isFalse();

        Auction market = fx.market("a100-80gb.sxm.4x", REGION);
        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("20.00"), 1, uniqueName("vol"),
                fx.sshKey(project), List.of(volume.fid()))));
        assertThat(bid.launchSpecification().volumes()).containsExactly(volume.fid());
        String instance = fx.awaitInstances(project, bid.fid(), 1, InstanceStatus.STATUS_RUNNING).getFirst().fid();

        Volume attached = fx.client.findVolumeByName(project, REGION, volume.name()).await()
                .atMost(ClientFixture.WAIT).orElseThrow();
        assertThat(attached.bids()).containsExactly(bid.fid());
        assertThat(attached.attachments()).containsKey(instance);

        Throwable refused = catchThrowable(() -> get(fx.client.deleteVolume(volume.fid())));
        assertThat(refused).isInstanceOf(ValidationError.class).hasMessageContaining("attached");

        get(fx.client.cancelBid(bid.fid()));
        fx.awaitBidStatus(bid.fid(), BidStatus.TERMINATED);
        get(fx.client.deleteVolume(volume.fid()));

        assertThat(get(fx.client.listVolumes(project, REGION, false))).extracting(Volume::fid)
                .doesNotContain(volume.fid());
        assertThat(get(fx.client.listVolumes(project, REGION, true)))
                .filteredOn(v -> v.fid().equals(volume.fid())).singleElement()
                .satisfies(v -> assertThat(v.deletedAt()).isNotNull());
    }

    @Test
    void volumesAttachToAPausedBidAndCanBeRenamed() {
        Volume volume = get(fx.client.createVolume(
                new CreateVolumeRequest("late-" + shortId(), project, DiskInterface.BLOCK, REGION, 10)));
        Auction market = fx.market("a100-80gb.sxm.8x", REGION);
        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("40.00"), 1, uniqueName("attach"),
                fx.sshKey(project), List.of())));
        fx.awaitBidStatus(bid.fid(), BidStatus.ALLOCATED);

        get(fx.client.pauseBid(bid.fid()));
        Bid patched = get(fx.client.updateBid(bid.fid(), UpdateBidRequest.volumes(List.of(volume.fid()))));

        assertThat(patched.launchSpecification().volumes()).containsExactly(volume.fid());
        assertThat(get(fx.client.bidHistory(bid.fid())).events()).extracting(BidHistoryEvent::eventType)
                .contains(BidHistoryEventType.VOLUMES_ATTACHED);

        String newName = "renamed-" + shortId();
        assertThat(get(fx.client.renameVolume(volume.fid(), newName)).name()).isEqualTo(newName);

        get(fx.client.cancelBid(bid.fid()));
        fx.awaitBidStatus(bid.fid(), BidStatus.TERMINATED);
        get(fx.client.deleteVolume(volume.fid()));
    }

    @Test
    void aFileShareInARegionWithoutThemIsAValidationError() {
        Throwable failure = catchThrowable(() -> get(fx.client.createVolume(
                new CreateVolumeRequest("share-" + shortId(), project, DiskInterface.FILE, "no-such-region", 10))));
        assertThat(failure).isInstanceOf(ValidationError.class);
    }

    @Test
    void sshKeysAreGeneratedListedFlaggedAndProtectedWhileInUse() {
        CreatedSshKey generated = get(fx.client.createSshKey(CreateSshKeyRequest.generate(project, "gen-" + shortId())));
        assertThat(generated.privateKey()).isNotBlank();
        assertThat(generated.publicKey()).startsWith("ssh-");
        assertThat(generated.toString()).doesNotContain(generated.privateKey());

        assertThat(get(fx.client.listSshKeys(project))).extracting(SshKey::fid).contains(generated.fid());
        assertThat(get(fx.client.updateSshKey(generated.fid(), true)).required()).isTrue();

        CreatedSshKey uploaded = get(fx.client.createSshKey(
                CreateSshKeyRequest.upload(project, "up-" + shortId(), generated.publicKey())));
        assertThat(uploaded.privateKey()).isNull();

        Auction market = fx.market("h100-80gb.sxm.8x", REGION);
        Bid bid = get(fx.client.createBid(fx.bid(project, market, Money.of("30.00"), 1, uniqueName("key"),
                uploaded.fid(), List.of())));
        assertThat(catchThrowable(() -> get(fx.client.deleteSshKey(uploaded.fid()))))
                .isInstanceOf(ValidationError.class);

        get(fx.client.cancelBid(bid.fid()));
        fx.awaitBidStatus(bid.fid(), BidStatus.TERMINATED);
        get(fx.client.deleteSshKey(uploaded.fid()));
        get(fx.client.deleteSshKey(generated.fid()));
        assertThat(get(fx.client.listSshKeys(project))).extracting(SshKey::fid)
                .doesNotContain(uploaded.fid(), generated.fid());
    }
}
