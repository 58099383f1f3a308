package dev.flow.service.vertx;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.concurrent.Executor;

/**
 * Hibernate Reactive must be used on the Vert.x context its session belongs to. Results of Mithril calls that were
 * retried with back-off, or of Kafka sends, may arrive on other threads: {@link #backTo} moves them back first.
 */
public final class VertxContexts {

    private VertxContexts() {
    }

    /** An executor running on the caller's Vert.x context (must be called on one). */
    public static Executor current() {
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("not on a Vert.x context");
        }
        return command -> {
            if (Vertx.currentContext() == context) {
                command.run();
            } else {
                context.runOnContext(ignored -> command.run());
            }
        };
    }

    public static <T> Uni<T> backTo(Executor context, Uni<T> uni) {
        return uni.emitOn(context);
    }
}
