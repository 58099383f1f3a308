package dev.flow.model.event;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The versioned CloudEvents type of an event record ({@code dev.flow.task.submitted.v1}). A change a consumer of the
 * old shape would misread gets a new version suffix; adding a field does not (consumers ignore unknown fields).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
    String value();
}
