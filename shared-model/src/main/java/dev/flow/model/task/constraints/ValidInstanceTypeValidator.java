package dev.flow.model.task.constraints;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.instance.InstanceType;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/** Delegates to the instance-type parser and hands its "did you mean" on as the violation's dynamic payload. */
public class ValidInstanceTypeValidator implements ConstraintValidator<ValidInstanceType, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        try {
            InstanceType.parse(value);
            return true;
        } catch (ValidationError e) {
            FieldError first = e.errors().getFirst();
            HibernateConstraintValidatorContext hv = context.unwrap(HibernateConstraintValidatorContext.class);
            hv.disableDefaultConstraintViolation();
            if (first.suggestion() != null) {
                hv.withDynamicPayload(first.suggestion());
            }
            // the parser's reason may contain the user's text, which must not be read as an EL expression
            hv.buildConstraintViolationWithTemplate(escape(first.reason())).addConstraintViolation();
            return false;
        }
    }

    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }
}
