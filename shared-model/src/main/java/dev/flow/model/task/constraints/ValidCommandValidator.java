package dev.flow.model.task.constraints;

import dev.flow.model.task.TaskLimits;

import dev.flow.model.task.Command;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class ValidCommandValidator implements ConstraintValidator<ValidCommand, Command> {

    @Override
    public boolean isValid(Command command, ConstraintValidatorContext context) {
        boolean notEmpty = switch (command) {
            case null -> true;
            case Command.Shell shell -> !shell.script().isBlank();
            case Command.Argv argv -> !argv.args().isEmpty() && !argv.args().getFirst().isBlank();
        };
        if (!notEmpty) {
            return false;
        }
        String tooBig = tooBig(command);
        if (tooBig != null) {
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(tooBig).addConstraintViolation();
            return false;
        }
        return true;
    }

    /** Why the command exceeds {@link TaskLimits}, or null. Counts bytes without encoding the whole text. */
    private static String tooBig(Command command) {
        if (command instanceof Command.Argv argv && argv.args().size() > TaskLimits.MAX_COMMAND_ARGS) {
            return "must have at most " + TaskLimits.MAX_COMMAND_ARGS + " words";
        }
        long bytes = switch (command) {
            case null -> 0;
            case Command.Shell shell -> utf8Length(shell.script());
            case Command.Argv argv -> argv.args().stream().mapToLong(ValidCommandValidator::utf8Length).sum();
        };
        return bytes > TaskLimits.MAX_COMMAND_BYTES
                ? "must be at most " + TaskLimits.MAX_COMMAND_BYTES + " bytes (UTF-8); put a longer script in an "
                + "image or on a volume and run it from there"
                : null;
    }

    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
