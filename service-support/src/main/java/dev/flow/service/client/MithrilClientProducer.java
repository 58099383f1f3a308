package dev.flow.service.client;

import java.time.Duration;
import java.util.List;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.MithrilClientConfig;
import dev.flow.mithril.client.RetryPolicy;
import dev.flow.service.config.MithrilSettings;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** The one {@link MithrilClient} of a service, on the application's Vert.x, configured by {@link MithrilSettings}. */
@ApplicationScoped
public class MithrilClientProducer {

    @Produces
    @ApplicationScoped
    MithrilClient mithrilClient(Vertx vertx, MithrilSettings settings) {
        RetryPolicy retry = RetryPolicy.DEFAULT;
        return new MithrilClient(vertx, config(settings,
                new RetryPolicy(settings.maxRetries(), retry.initialBackoff(), retry.maxBackoff(), retry.maxRetryAfter())));
    }

    /** The same Mithril, one attempt per call (created only in a service that injects it). */
    @Produces
    @ApplicationScoped
    @SingleAttempt
    MithrilClient singleAttemptClient(Vertx vertx, MithrilSettings settings) {
        return new MithrilClient(vertx, config(settings, RetryPolicy.NONE));
    }

    private static MithrilClientConfig config(MithrilSettings settings, RetryPolicy retry) {
        String apiKey = settings.apiKey().filter(key -> !key.isBlank()).orElseThrow(() -> new IllegalStateException(
                "MITHRIL_API_KEY (mithril.api-key) is not set: this service calls Mithril at " + settings.apiUrl()));
        return new MithrilClientConfig(settings.apiUrl(), apiKey,
                settings.defaultProject().orElse(null), settings.defaultRegion().orElse(null),
                settings.sshKeys().orElse(List.of()), Duration.ofSeconds(5),
                Duration.ofSeconds(settings.requestTimeoutSeconds()), retry, null);
    }

    void close(@Disposes MithrilClient client) {
        client.close();
    }

    void closeSingleAttempt(@Disposes @SingleAttempt MithrilClient client) {
        client.close();
    }
}
