package dev.flow.mithril.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidHistory;
import dev.flow.mithril.client.model.BidHistoryEventType;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.BidStatusResponse;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.CreateVolumeRequest;
import dev.flow.mithril.client.model.CreatedSshKey;
import dev.flow.mithril.client.model.CurrentPrices;
import dev.flow.mithril.client.model.DiskInterface;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.mithril.client.model.UpdateBidRequest;
import dev.flow.mithril.client.model.Volume;
import dev.flow.model.money.Money;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The wire format of the models against the spec's field names and examples. */
class MithrilJsonTest {

    private final ObjectMapper json = MithrilJson.create();

    @Test
    void readsABidModel() throws Exception {
        Bid bid = json.readValue("""
                {"fid":"bid_abc123456","name":"train-1","project":"proj_abc123456","created_by":"user_x",
                 "created_at":"2024-01-01T00:00:00+00:00","deactivated_at":null,"limit_price":"$15.60",
                 "instance_quantity":2,"instance_type":"it_abc","region":"us-central1-a",
                 "instances":["inst_1","inst_2"],
                 "launch_specification":{"volumes":["vol_1"],"ssh_keys":["sshkey_1"],"startup_script":"#!/bin/bash\\nexport K=v"},
                 "status":"Allocated","some_future_field":1}
                """, Bid.class);

        assertThat(bid.limitPrice()).isEqualTo(Money.of("15.60"));
        assertThat(bid.status()).isEqualTo(BidStatus.ALLOCATED);
        assertThat(bid.createdAt()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(bid.instances()).containsExactly("inst_1", "inst_2");
        assertThat(bid.launchSpecification().sshKeys()).containsExactly("sshkey_1");
        assertThat(bid.launchSpecification().toString()).doesNotContain("export K=v");
        assertThat(bid.toString()).doesNotContain("export K=v");
    }

    @Test
    void unknownStatusesDoNotBreakReading() throws Exception {
        assertThat(json.readValue("{\"bid_fid\":\"bid_1\",\"status\":\"Relocating\"}", BidStatusResponse.class).status())
                .isEqualTo(BidStatus.RELOCATING);
        assertThat(json.readValue("{\"bid_fid\":\"bid_1\",\"status\":\"Hibernating\"}", BidStatusResponse.class).status())
                .isEqualTo(BidStatus.UNKNOWN);
        Instance i = json.readValue("""
                {"fid":"inst_1","name":"n","project":"p","created_at":"2024-01-01T00:00:00","created_by":"u",
                 "instance_type":"it","status":"STATUS_SCHEDULED"}""", Instance.class);
        assertThat(i.status()).isEqualTo(InstanceStatus.STATUS_SCHEDULED);
        assertThat(i.createdAt()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    }

    @Test
    void writesACreateBidRequestWithSpecNamesAndDollarStrings() throws Exception {
        var request = new CreateBidRequest("proj_1", "us-central1-a", "it_1", Money.of("25.6"), 2, "task-1",
                LaunchSpecification.of(List.of("sshkey_1"), List.of(), "#!/bin/bash\necho hi"));

        JsonNode node = json.readTree(json.writeValueAsString(request));

        assertThat(node.get("limit_price").asText()).isEqualTo("$25.60");
        assertThat(node.get("instance_quantity").asInt()).isEqualTo(2);
        assertThat(node.get("instance_type").asText()).isEqualTo("it_1");
        assertThat(node.get("launch_specification").get("ssh_keys").get(0).asText()).isEqualTo("sshkey_1");
        assertThat(node.get("launch_specification").get("volumes")).isEmpty();
        assertThat(node.get("launch_specification").get("startup_script").asText()).startsWith("#!/bin/bash");
        assertThat(node.has("notification_email")).isFalse();
        assertThat(node.get("launch_specification").has("memory_gb")).isFalse();
    }

    @Test
    void patchSendsOnlyWhatChanges() throws Exception {
        assertThat(json.writeValueAsString(UpdateBidRequest.pause())).isEqualTo("{\"paused\":true}");
        assertThat(json.writeValueAsString(UpdateBidRequest.limitPrice(Money.of("3.5"))))
                .isEqualTo("{\"limit_price\":\"$3.50\"}");
    }

    @Test
    void volumeUsesDiskInterfaceInRequestsAndInterfaceInResponses() throws Exception {
        JsonNode req = json.readTree(json.writeValueAsString(
                new CreateVolumeRequest("data", "proj_1", DiskInterface.BLOCK, "us-central1-a", 100)));
        assertThat(req.get("disk_interface").asText()).isEqualTo("Block");
        assertThat(req.get("size_gb").asLong()).isEqualTo(100);

        Volume v = json.readValue("""
                {"fid":"vol_1","name":"data","region":"us-central1-a","created_at":"2024-01-01T00:00:00Z",
                 "deleted_at":null,"capacity_gb":100,"project":"proj_1","interface":"File","bids":["bid_1"],
                 "reservations":[],"attachments":{"inst_1":"/dev/vdb"}}""", Volume.class);
        assertThat(v.diskInterface()).isEqualTo(DiskInterface.FILE);
        assertThat(v.attached()).isTrue();
        assertThat(v.attachments()).containsEntry("inst_1", "/dev/vdb");
    }

    @Test
    void readsPricesHistoryAndAvailability() throws Exception {
        CurrentPrices p = json.readValue("{\"spot_price_cents\":1203,\"available_capacity\":3}", CurrentPrices.class);
        assertThat(p.spotPriceCents()).isEqualTo(1203L);
        assertThat(p.reservedPriceCents()).isNull();

        Auction a = json.readValue("""
                {"fid":"auc_1","instance_type":"it_1","region":"us-central1-a","capacity":512,
                 "last_instance_price":"$10.00","lowest_allocated_price":null,"adjustable_memory":false}""", Auction.class);
        assertThat(a.lastInstancePrice()).isEqualTo(Money.ofCents(1000));
        assertThat(a.lowestAllocatedPrice()).isNull();

        BidHistory h = json.readValue("""
                {"bid_fid":"bid_1","events":[{"timestamp":"2024-01-01T00:00:00Z","event_type":"Limit Price Changed",
                 "limit_price":"$2.00"},{"timestamp":"2024-01-01T00:01:00Z","event_type":"Volumes Attached",
                 "persistent_disk_change":{"attached":"vol_1"}}]}""", BidHistory.class);
        assertThat(h.events()).extracting(e -> e.eventType())
                .containsExactly(BidHistoryEventType.LIMIT_PRICE_CHANGED, BidHistoryEventType.VOLUMES_ATTACHED);
        assertThat(h.events().get(1).persistentDiskChange().attached()).isEqualTo("vol_1");
    }

    @Test
    void aGeneratedPrivateKeyNeverAppearsInToString() throws Exception {
        CreatedSshKey k = json.readValue("""
                {"fid":"sshkey_1","name":"k","project":"p","public_key":"ssh-rsa AAA","created_at":"2024-01-01T00:00:00Z",
                 "required":false,"private_key":"-----BEGIN PRIVATE KEY-----SECRET"}""", CreatedSshKey.class);
        assertThat(k.privateKey()).contains("SECRET");
        assertThat(k.toString()).doesNotContain("SECRET").contains("<redacted>");
    }
}
