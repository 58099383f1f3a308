package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ClusterIdTest {

    /**
     * 16 random bytes as base64url, never starting with '-', which the storage tool would read as an option.
     * Unfiltered, one id in 64 starts with '-': 10,000 draws would show a few hundred.
     */
    @Test
    void clusterIdsAreSixteenRandomBytesAndNeverLookLikeAnOption() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = EmbeddedKafkaBroker.clusterId();
            assertThat(id).doesNotStartWith("-").hasSize(22);
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }
}
