package dev.flow.service.config;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How a service reaches Mithril, with the seed's variable names: {@code MITHRIL_API_KEY}, {@code MITHRIL_API_URL},
 * {@code MITHRIL_DEFAULT_PROJECT}, {@code MITHRIL_DEFAULT_REGION}, {@code MITHRIL_SSH_KEYS}. The local run and the
 * tests point them at the emulator; production at {@code https://api.mithril.ai}.
 */
@ConfigMapping(prefix = "mithril")
public interface MithrilSettings {

    @WithDefault("https://api.mithril.ai")
    String apiUrl();

    /**
     * The {@code fkey_...} bearer key; a secret: never logged, never in events or responses. Optional here because
     * services that never call Mithril share this mapping; one that does fails with {@code MITHRIL_API_KEY} named when
     * its client is created.
     */
    Optional<String> apiKey();

    /** The project used when a request names none (a project name or fid). */
    Optional<String> defaultProject();

    /** The region preferred when a task names none and several have capacity. */
    Optional<String> defaultRegion();

    /** SSH key fids (or names) every bid gets, as the seed's {@code MITHRIL_SSH_KEYS}. */
    Optional<List<String>> sshKeys();

    /** Seconds; the whole request, retries excluded. */
    @WithDefault("30")
    int requestTimeoutSeconds();

    /** Retries after the first attempt for safe calls. */
    @WithDefault("4")
    int maxRetries();
}
