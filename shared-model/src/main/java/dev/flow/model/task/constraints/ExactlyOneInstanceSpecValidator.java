package dev.flow.model.task.constraints;

import dev.flow.model.task.TaskConfig;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/** Reports on the {@code instance_type} field, where a user looks first. */
public class ExactlyOneInstanceSpecValidator implements ConstraintValidator<ExactlyOneInstanceSpec, TaskConfig> {

    @Override
    public boolean isValid(TaskConfig config, ConstraintValidatorContext context) {
        if (config == null) {
            return true;
        }
        boolean hasType = config.instanceType() != null;
        boolean hasMemory = config.minGpuMemoryGb() != null;
        if (hasType != hasMemory) {
            return true;
        }
        HibernateConstraintValidatorContext hv = context.unwrap(HibernateConstraintValidatorContext.class);
        hv.disableDefaultConstraintViolation();
        if (hasType) {
            hv.withDynamicPayload("remove min_gpu_memory_gb");
            hv.buildConstraintViolationWithTemplate("instance_type and min_gpu_memory_gb are mutually exclusive; set only one")
                    .addPropertyNode("instanceType").addConstraintViolation();
        } else {
            hv.withDynamicPayload("a100");
            hv.buildConstraintViolationWithTemplate("one of instance_type (e.g. `a100`) or min_gpu_memory_gb is required")
                    .addPropertyNode("instanceType").addConstraintViolation();
        }
        return false;
    }
}
