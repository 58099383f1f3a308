package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;

import org.junit.jupiter.api.RepeatedTest;

class ClusterIdTest {

    /** 16 bytes as base64url, never starting with '-': the storage tool would read that as an option. */
    @RepeatedTest(500)
    void clusterIdsAreSixteenBytesAndNeverLookLikeAnOption() {
        String id = EmbeddedKafkaBroker.clusterId();
        assertThat(id).doesNotStartWith("-").hasSize(22);
        assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
    }
}
