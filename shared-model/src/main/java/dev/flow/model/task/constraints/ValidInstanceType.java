package dev.flow.model.task.constraints;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The string must parse with {@link dev.flow.model.instance.InstanceType#parse}; null is valid. */
@Documented
@Constraint(validatedBy = ValidInstanceTypeValidator.class)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface ValidInstanceType {
    String message() default "unknown instance type";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
