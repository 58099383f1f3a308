package dev.flow.service.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Limits every service applies at its HTTP edge, before a request reaches a resource. Defaults for all services are in
 * service-support's {@code META-INF/microprofile-config.properties}; an operator overrides them per service
 * ({@code FLOW_EDGE_MAX_URI_LENGTH=...}).
 */
@ConfigMapping(prefix = "flow.edge")
public interface EdgeConfig {

    /**
     * Characters of the request line's URI (path and query). Longer → 414 problem+json. Must stay below
     * {@code quarkus.http.limits.max-initial-line-length}, past which Vert.x itself answers a bare 414.
     */
    @WithDefault("8192")
    int maxUriLength();

    /** Characters of an id in a path ({@code /v1/tasks/{id}}); longer or with other characters → 404 problem+json. */
    @WithDefault("128")
    int maxPathIdLength();
}
