package dev.flow.submitter.service;

import dev.flow.devstack.MithrilEmulator;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.model.money.Money;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.flow.submitter.SubmitterTestSupport.PROJECT;
import static dev.flow.submitter.SubmitterTestSupport.mithril;
import static dev.flow.submitter.SubmitterTestSupport.projectFid;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spot-quota check's copy of {@code GET /v2/quotas}, against the emulator with a quota of 3 instances: checks are
 * served from one read while it is fresh and count the instances they let through; a copy showing too few instances
 * is read again before anything is refused; and the refusal is the same {@link InsufficientQuotaError} the submit
 * path has always answered (409 problem+json, detail and suggestions).
 */
class SpotQuotasTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TYPE = "a100-80gb.sxm.8x";

    private final MithrilEmulator emulator = MithrilEmulatorTestResource.shared();
    private final InstanceCatalog catalog = new InstanceCatalog(mithril(), Optional.empty());
    // an hour: nothing in this test expires by time, every read of Mithril is one the copy asked for
    private final SpotQuotas quotas = new SpotQuotas(mithril(), catalog, Duration.ofHours(1), Clock.systemUTC());
    private String projectFid;
    private Placement placement;

    @BeforeEach
    void quotaOfThree() {
        emulator.admin("PUT", "/_emulator/quotas",
                "{\"project\": \"" + PROJECT + "\", \"instance_type\": \"" + TYPE + "\", \"total_quantity\": 3}");
        projectFid = projectFid(PROJECT);
        placement = catalog.resolve(dev.flow.model.instance.InstanceType.parse("8xa100"), null, 1)
                .await().atMost(WAIT);
        assertThat(placement.instanceTypeName()).isEqualTo(TYPE);
    }

    @AfterEach
    void noQuota() {
        emulator.admin("PUT", "/_emulator/quotas",
                "{\"project\": \"" + PROJECT + "\", \"instance_type\": \"" + TYPE + "\", \"total_quantity\": null}");
    }

    @Test
    void checksShareOneReadCountTheirInstancesAndReadAgainBeforeRefusing() {
        long reads = quotaReads();
        require(2);
        require(1);
        assertThat(quotaReads()).as("the second check is served by the first one's read").isEqualTo(reads + 1);

        // the copy has 0 left (3 - 2 - 1): before refusing, Mithril is asked; it has seen no bid, so 3 are left
        require(1);
        assertThat(quotaReads()).isEqualTo(reads + 2);

        // a bid of 3 instances uses the whole quota at Mithril; a bid failing at Mithril drops the copy
        Bid bid = mithril().createBid(new CreateBidRequest(projectFid, placement.region(), placement.instanceTypeFid(),
                        Money.parse("$0.01"), 3, uniqueName("quota-test"),
                        LaunchSpecification.of(List.of(), List.of(), "#!/bin/bash\ntrue\n")))
                .await().atMost(WAIT);
        try {
            quotas.forget(projectFid);
            assertThatThrownBy(() -> require(1)).isInstanceOfSatisfying(InsufficientQuotaError.class, refused -> {
                assertThat(refused.getMessage()).isEqualTo("project " + PROJECT + " has 0 of its 3 " + TYPE
                        + " spot instances left (3 in use); the task needs 1");
                assertThat(refused.suggestions()).containsExactly(
                        "cancel running or pending tasks of this instance type",
                        "choose another instance type, or ask Mithril for a larger quota");
            });
            assertThat(quotaReads()).as("the read that refused is the copy's own: no second read")
                    .isEqualTo(reads + 3);
        } finally {
            mithril().cancelBid(bid.fid()).await().atMost(WAIT);
        }

        // the copy still says 0 left; the cancel freed the quota at Mithril, and the read before refusing sees it
        require(3);
        assertThat(quotaReads()).isEqualTo(reads + 4);
    }

    private void require(int quantity) {
        quotas.require(PROJECT, projectFid, placement, quantity).await().atMost(WAIT);
    }

    private long quotaReads() {
        Matcher m = Pattern.compile("\"GET /v2/quotas\"\\s*:\\s*(\\d+)").matcher(emulator.requestCounters());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
