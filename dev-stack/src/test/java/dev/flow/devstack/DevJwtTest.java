package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DevJwtTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tokensAreRs256SignedAndNameTheProjects() throws Exception {
        DevJwt jwt = DevJwt.generate();
        String token = jwt.adminToken("alice", List.of("proj_a", "proj_b"));

        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        JsonNode header = decode(parts[0]);
        JsonNode claims = decode(parts[1]);
        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(claims.get("iss").asText()).isEqualTo(DevJwt.ISSUER);
        assertThat(claims.get("sub").asText()).isEqualTo("alice");
        assertThat(claims.get("projects")).extracting(JsonNode::asText).containsExactly("proj_a", "proj_b");
        assertThat(claims.get("groups")).extracting(JsonNode::asText).containsExactly("admin");
        assertThat(claims.get("aud").asText()).isEqualTo(DevJwt.AUDIENCE);
        assertThat(verifies(jwt, parts)).isTrue();
        assertThat(verifies(DevJwt.generate(), parts)).as("another key pair").isFalse();
    }

    @Test
    void onlyTheOperatorTokenCarriesTheOperatorGroupAndItNamesNoProject() throws Exception {
        DevJwt jwt = DevJwt.generate();
        JsonNode operator = decode(jwt.operatorToken("prometheus").split("\\.")[1]);
        assertThat(operator.get("groups")).extracting(JsonNode::asText).containsExactly(DevJwt.OPERATOR_GROUP);
        assertThat(operator.get("projects")).isEmpty();
        for (String tenant : List.of(jwt.adminToken("alice", List.of("proj_a")), jwt.token("bob", List.of("proj_a")))) {
            JsonNode claims = decode(tenant.split("\\.")[1]);
            assertThat(claims.path("groups")).extracting(JsonNode::asText).doesNotContain(DevJwt.OPERATOR_GROUP);
        }
        JsonNode foreign = decode(jwt.token("bob", List.of("proj_a"), Set.of(), Duration.ofMinutes(5), "elsewhere")
                .split("\\.")[1]);
        assertThat(foreign.get("aud").asText()).isEqualTo("elsewhere");
    }

    @Test
    void aNegativeLifetimeGivesAnExpiredToken() throws Exception {
        String token = DevJwt.shared().token("bob", List.of("proj_a"), Set.of(), Duration.ofMinutes(-10));
        JsonNode claims = decode(token.split("\\.")[1]);
        assertThat(Instant.ofEpochSecond(claims.get("exp").asLong())).isBefore(Instant.now());
        assertThat(claims.get("iat").asLong()).isLessThan(claims.get("exp").asLong());
    }

    @Test
    void thePublicKeyIsPem() {
        assertThat(DevJwt.shared().publicKeyPem()).startsWith("-----BEGIN PUBLIC KEY-----\n")
                .endsWith("-----END PUBLIC KEY-----\n");
    }

    private static boolean verifies(DevJwt jwt, String[] parts) throws Exception {
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(jwt.publicKey());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        return rsa.verify(Base64.getUrlDecoder().decode(parts[2]));
    }

    private static JsonNode decode(String part) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(part));
    }
}
