package dev.flow.service.client;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.inject.Qualifier;

/**
 * The service's {@code MithrilClient} that makes one attempt per call and never retries: for a caller whose own
 * schedule is the retry loop (a sweeper that tries again every second), so that a pass never sleeps in a backoff
 * while Mithril is already back.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface SingleAttempt {
}
