package dev.flow.model.task.constraints;

import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.VolumeSpec;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reports each repeat at {@code volumes[i].name} / {@code volumes[i].mount_path}, naming the first occurrence. */
public class DistinctVolumesValidator implements ConstraintValidator<DistinctVolumes, TaskConfig> {

    @Override
    public boolean isValid(TaskConfig config, ConstraintValidatorContext context) {
        if (config == null || config.volumes() == null) {
            return true;
        }
        HibernateConstraintValidatorContext hv = context.unwrap(HibernateConstraintValidatorContext.class);
        hv.disableDefaultConstraintViolation();
        List<VolumeSpec> volumes = config.volumes();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> paths = new HashMap<>();
        boolean valid = true;
        for (int i = 0; i < volumes.size(); i++) {
            VolumeSpec v = volumes.get(i);
            if (v == null) {
                continue;
            }
            Integer first = v.name() == null ? null : names.putIfAbsent(v.name(), i);
            if (first != null) {
                valid = false;
                hv.buildConstraintViolationWithTemplate("duplicates the name of volumes[" + first + "]")
                        .addPropertyNode("volumes").addPropertyNode("name").inIterable().atIndex(i)
                        .addConstraintViolation();
            }
            String path = v.mountPath() == null ? null : stripTrailingSlash(v.mountPath());
            first = path == null ? null : paths.putIfAbsent(path, i);
            if (first != null) {
                valid = false;
                hv.buildConstraintViolationWithTemplate("duplicates the mount_path of volumes[" + first + "]")
                        .addPropertyNode("volumes").addPropertyNode("mountPath").inIterable().atIndex(i)
                        .addConstraintViolation();
            }
        }
        return valid;
    }

    private static String stripTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
