package dev.flow.model.task.constraints;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** No two volumes of a task share a name or a mount path (two volumes on {@code /data} would hide one another). */
@Documented
@Constraint(validatedBy = DistinctVolumesValidator.class)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface DistinctVolumes {
    String message() default "volumes must have distinct names and mount paths";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
