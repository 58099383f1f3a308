package dev.flow.devstack.quarkus;

import java.util.Map;

import dev.flow.devstack.DevJwt;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Makes a Quarkus test application verify bearer tokens signed by {@link DevJwt#shared()}; tests mint theirs with
 * {@code DevJwt.shared().token("alice", List.of("proj_a"))}.
 */
public class JwtTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "mp.jwt.verify.publickey", DevJwt.shared().publicKeyPem(),
                "mp.jwt.verify.issuer", DevJwt.ISSUER,
                "mp.jwt.verify.audiences", DevJwt.AUDIENCE);
    }

    @Override
    public void stop() {
        // the key pair lives as long as the JVM
    }
}
