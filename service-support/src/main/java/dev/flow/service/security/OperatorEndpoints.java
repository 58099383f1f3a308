package dev.flow.service.security;

import io.quarkus.vertx.http.security.HttpSecurity;
import jakarta.enterprise.event.Observes;

/**
 * The platform's operational endpoints are not public: {@code /q/metrics} publishes every project's spend and task
 * counts, so it needs a bearer token carrying the {@value ProjectAccess#OPERATOR_GROUP} group (no tenant token does).
 * Prometheus scrapes with such a token ({@code authorization: {credentials_file: …}} in its scrape config).
 * <p>
 * Why a token rather than a separate management port: the services keep one port, so the local run, compose, the
 * tests and the probes stay as they are, and the rule holds wherever the service runs — it does not depend on a
 * NetworkPolicy being present. One rule here, in code, covers every service that has Micrometer (now or later),
 * with no per-service setting to forget. {@code /q/health*} stays open for the kubelet.
 */
public class OperatorEndpoints {

    /** The operator's endpoints: Micrometer's Prometheus scrape and what lies below it. */
    public static final String PATH = "/q/metrics";

    void secure(@Observes HttpSecurity http) {
        http.path(PATH, PATH + "/*").roles(ProjectAccess.OPERATOR_GROUP);
    }
}
