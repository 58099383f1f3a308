package dev.flow.devstack;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;

/**
 * Signs bearer tokens the Flow services accept, for tests and for the local run: an RSA key pair made at start (never
 * stored in the repository), its public key for {@code mp.jwt.verify.publickey}, and tokens naming the projects the
 * caller may use.
 */
public final class DevJwt {

    public static final String ISSUER = "https://flow.dev/dev-stack";
    /** The audience every service verifies ({@code mp.jwt.verify.audiences}, env {@code FLOW_JWT_AUDIENCE}). */
    public static final String AUDIENCE = "flow-platform";
    /** The platform operator's group (reads {@code /q/metrics}); no tenant token carries it. */
    public static final String OPERATOR_GROUP = "flow-operator";

    private static DevJwt shared;

    private final KeyPair keys;

    private DevJwt(KeyPair keys) {
        this.keys = keys;
    }

    /** A fresh signer with a key pair of its own (a token from it fails verification against another's key). */
    public static DevJwt generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new DevJwt(generator.generateKeyPair());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is not available in this JVM", e);
        }
    }

    /** The signer shared by every test in this JVM: the one {@code JwtTestResource} configures services with. */
    public static synchronized DevJwt shared() {
        if (shared == null) {
            shared = generate();
        }
        return shared;
    }

    public PublicKey publicKey() {
        return keys.getPublic();
    }

    /** The public key as PEM, the form {@code mp.jwt.verify.publickey} and a key file take. */
    public String publicKeyPem() {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** A token for a user of the given projects, valid for an hour. */
    public String token(String subject, List<String> projects) {
        return token(subject, projects, Set.of(), Duration.ofHours(1));
    }

    /** A token for an admin of the given projects (their budgets may be changed, nothing more), valid for an hour. */
    public String adminToken(String subject, List<String> projects) {
        return token(subject, projects, Set.of("admin"), Duration.ofHours(1));
    }

    /** A token for the platform operator (Prometheus scraping {@code /q/metrics}): no project, valid for an hour. */
    public String operatorToken(String subject) {
        return token(subject, List.of(), Set.of(OPERATOR_GROUP), Duration.ofHours(1));
    }

    /** A token with every setting chosen; a negative lifetime gives an expired token. */
    public String token(String subject, List<String> projects, Set<String> groups, Duration lifetime) {
        return token(subject, projects, groups, lifetime, AUDIENCE);
    }

    /** As {@link #token(String, List, Set, Duration)}, issued for another audience (which the services refuse). */
    public String token(String subject, List<String> projects, Set<String> groups, Duration lifetime,
                        String audience) {
        Instant now = Instant.now();
        Instant issuedAt = lifetime.isNegative() ? now.plus(lifetime).minus(Duration.ofMinutes(5)) : now;
        PrivateKey key = keys.getPrivate();
        return Jwt.issuer(ISSUER)
                .audience(audience)
                .subject(subject)
                .upn(subject)
                .claim("projects", projects)
                .groups(groups)
                .issuedAt(issuedAt)
                .expiresAt(now.plus(lifetime))
                .sign(key);
    }
}
