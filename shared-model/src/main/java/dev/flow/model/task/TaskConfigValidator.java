package dev.flow.model.task;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.flow.model.error.FieldError;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.engine.HibernateConstraintViolation;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a {@link TaskConfig} against its Bean Validation constraints and reports each violation as a
 * {@link FieldError} on the snake_case JSON path of the field ({@code "volumes[0].name"}, {@code "env.MY KEY"}),
 * with a suggestion where a valid value can be guessed.
 */
public final class TaskConfigValidator {

    private static final ValidatorFactory FACTORY = Validation.byProvider(HibernateValidator.class)
            .configure()
            // messages are part of the API: the same words whatever the JVM's locale
            .defaultLocale(Locale.ENGLISH)
            .locales(Locale.ENGLISH)
            .buildValidatorFactory();
    private static final Validator VALIDATOR = FACTORY.getValidator();
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;
    /** Java component names whose JSON name is not the plain snake_case form. */
    private static final Map<String, String> JSON_NAMES = Map.of("volumeInterface", "interface");

    private TaskConfigValidator() {
    }

    /** Every rule violated by {@code config}, sorted by field; empty when it is valid. */
    public static List<FieldError> validate(TaskConfig config) {
        return VALIDATOR.validate(config).stream()
                .map(TaskConfigValidator::toFieldError)
                .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::reason))
                .distinct()
                .toList();
    }

    private static FieldError toFieldError(ConstraintViolation<TaskConfig> violation) {
        String field = jsonPath(violation.getPropertyPath());
        @SuppressWarnings("unchecked")
        HibernateConstraintViolation<TaskConfig> hv = violation.unwrap(HibernateConstraintViolation.class);
        String suggestion = hv.getDynamicPayload(String.class);
        if (suggestion == null) {
            suggestion = suggest(field, violation.getInvalidValue());
        }
        return new FieldError(field, violation.getMessage(), suggestion);
    }

    /** {@code volumes[0].mountPath} → {@code volumes[0].mount_path}; {@code env<K>[MY KEY].<map key>} → {@code env.MY KEY}. */
    static String jsonPath(Path path) {
        StringBuilder out = new StringBuilder();
        for (Path.Node node : path) {
            if (node.isInIterable()) {
                if (node.getIndex() != null) {
                    out.append('[').append(node.getIndex()).append(']');
                } else if (node.getKey() != null) {
                    out.append('.').append(node.getKey());
                }
            }
            if (node.getKind() == ElementKind.PROPERTY) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(JSON_NAMES.getOrDefault(node.getName(), SNAKE.translate(node.getName())));
            }
        }
        return out.toString();
    }

    /** A value that would pass, guessed from the field and the rejected value; null when there is no good guess. */
    private static String suggest(String field, Object invalid) {
        String leaf = field.substring(field.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        if (field.startsWith("env.") && invalid instanceof String key) {
            String fixed = key.replaceAll("[^A-Za-z0-9_]", "_");
            return fixed.isEmpty() || Character.isDigit(fixed.charAt(0)) ? "_" + fixed : fixed;
        }
        return switch (leaf) {
            case "name" -> invalid instanceof String s && field.startsWith("volumes") ? volumeName(s)
                    : invalid instanceof String s ? taskName(s) : null;
            case "working_dir", "mount_path" -> invalid instanceof String s && !s.isBlank() && !s.startsWith("/")
                    ? "/" + s : null;
            case "max_run_time_hours" -> invalid instanceof BigDecimal d && d.signum() > 0
                    ? (d.compareTo(new BigDecimal(TaskLimits.MIN_RUN_TIME_HOURS)) < 0 ? "1" : TaskLimits.MAX_RUN_TIME_HOURS)
                    : null;
            case "num_instances" -> invalid instanceof Integer n ? (n < 1 ? "1" : "100") : null;
            default -> null;
        };
    }

    private static String taskName(String name) {
        String fixed = name.strip().replaceAll("[^A-Za-z0-9_-]+", "-").replaceAll("^[-_]+", "");
        fixed = fixed.length() > 64 ? fixed.substring(0, 64) : fixed;
        return fixed.isEmpty() ? TaskConfig.DEFAULT_NAME : fixed;
    }

    private static String volumeName(String name) {
        String fixed = name.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-")
                .replaceAll("^[^a-z]+", "");
        fixed = fixed.length() > 64 ? fixed.substring(0, 64) : fixed;
        fixed = fixed.replaceAll("-+$", "");
        return fixed.isEmpty() ? null : fixed;
    }
}
