package dev.flow.model.task.constraints;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A TaskConfig names exactly one of {@code instance_type} and {@code min_gpu_memory_gb}. */
@Documented
@Constraint(validatedBy = ExactlyOneInstanceSpecValidator.class)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface ExactlyOneInstanceSpec {
    String message() default "exactly one of instance_type and min_gpu_memory_gb is required";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
