package dev.flow.model.task.constraints;

import dev.flow.model.task.Command;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class ValidCommandValidator implements ConstraintValidator<ValidCommand, Command> {

    @Override
    public boolean isValid(Command command, ConstraintValidatorContext context) {
        return switch (command) {
            case null -> true;
            case Command.Shell shell -> !shell.script().isBlank();
            case Command.Argv argv -> !argv.args().isEmpty() && !argv.args().getFirst().isBlank();
        };
    }
}
