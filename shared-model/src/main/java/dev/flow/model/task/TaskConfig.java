package dev.flow.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.task.constraints.DistinctVolumes;
import dev.flow.model.task.constraints.ExactlyOneInstanceSpec;
import dev.flow.model.task.constraints.ValidCommand;
import dev.flow.model.task.constraints.ValidInstanceType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.UniqueElements;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's {@code TaskConfig}: what a user submits. JSON is snake_case. Absent fields take the seed's defaults when
 * the record is built (deserialisation included), so a value of this type is always complete; {@link TaskConfigValidator}
 * checks the rules, {@link TaskConfigs#parse(String)} does both for JSON input.
 *
 * <p>{@link #toString()} and {@link #redacted()} never show env values (they are secrets such as API keys).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ExactlyOneInstanceSpec
@DistinctVolumes
public record TaskConfig(
        @NotBlank(message = "is required")
        @Size(max = 64, message = "must be at most 64 characters")
        @Pattern(regexp = "^([A-Za-z0-9][A-Za-z0-9_-]*)?$", // empty: reported by @NotBlank alone
                message = "must be letters, digits, dashes and underscores, starting with a letter or digit")
        String name,

        @ValidInstanceType
        @Size(max = TaskLimits.MAX_INSTANCE_TYPE_LENGTH, message = "must be at most {max} characters")
        String instanceType,

        @Positive(message = "must be greater than 0") @Max(value = 4096, message = "must be at most 4096")
        Integer minGpuMemoryGb,

        @NotNull(message = "is required") @ValidCommand
        Command command,

        @NotNull @Size(max = TaskLimits.MAX_VOLUMES, message = "must have at most {max} volumes")
        List<@NotNull(message = "must not be null") @Valid VolumeSpec> volumes,

        @NotNull @Size(max = TaskLimits.MAX_ENV_ENTRIES, message = "must have at most {max} variables")
        Map<@NotNull @Size(max = TaskLimits.MAX_ENV_KEY_LENGTH, message = "must be at most {max} characters")
                @Pattern(regexp = "^[A-Za-z_][A-Za-z0-9_]*$",
                message = "is not a valid environment variable name (letters, digits, underscores; not starting with a digit)")
                String, @NotNull(message = "must not be null")
                @Size(max = TaskLimits.MAX_ENV_VALUE_LENGTH, message = "must be at most {max} characters") String> env,

        @NotNull @Size(max = TaskLimits.MAX_SSH_KEYS, message = "must have at most {max} keys")
        List<@NotBlank(message = "must not be blank")
                @Size(max = TaskLimits.MAX_SSH_KEY_LENGTH, message = "must be at most {max} characters") String> sshKeys,

        @Positive(message = "must be greater than 0")
        @DecimalMax(value = TaskLimits.MAX_PRICE_PER_HOUR, message = "must be at most {value} dollars per hour")
        BigDecimal maxPricePerHour,

        @DecimalMin(value = TaskLimits.MIN_RUN_TIME_HOURS, message = "must be at least {value} hours (36 seconds): a "
                + "shorter limit ends the task before its instance can boot")
        @DecimalMax(value = TaskLimits.MAX_RUN_TIME_HOURS, message = "must be at most {value} (7 days)")
        BigDecimal maxRunTimeHours,

        @NotNull @Min(value = 1, message = "must be at least 1") @Max(value = 100, message = "must be at most 100")
        Integer numInstances,

        @NotBlank(message = "is required") @Pattern(regexp = "^\\S*$", message = "must not contain whitespace")
        @Size(max = TaskLimits.MAX_IMAGE_LENGTH, message = "must be at most {max} characters")
        String image,

        @NotBlank(message = "is required") @Pattern(regexp = "^/.*", message = "must be an absolute path")
        @Size(max = TaskLimits.MAX_PATH_LENGTH, message = "must be at most {max} characters")
        String workingDir,

        @Size(min = 1, max = 64, message = "must be 1 to 64 characters")
        @Pattern(regexp = "^[a-z0-9][a-z0-9-]*$", message = "must be a Mithril region such as `us-central1-b`")
        String region,

        @NotNull @UniqueElements(message = "must not contain duplicates")
        @Size(max = TaskLimits.MAX_PORTS, message = "must have at most {max} ports")
        List<@NotNull(message = "must not be null")
        @Min(value = 1024, message = "must be between 1024 and 65535")
        @Max(value = 65535, message = "must be between 1024 and 65535") Integer> ports,

        @NotNull @Valid
        RetryPolicy retry) {

    public static final String DEFAULT_NAME = "flow-task";
    public static final String DEFAULT_IMAGE = "ubuntu:24.04";
    public static final String DEFAULT_WORKING_DIR = "/workspace";
    public static final String REDACTED = "***";

    public TaskConfig {
        name = name == null ? DEFAULT_NAME : name;
        volumes = volumes == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(volumes));
        // insertion order kept (the startup script exports in the user's order); nulls kept for the validator to report
        env = env == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(env));
        sshKeys = sshKeys == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(sshKeys));
        numInstances = numInstances == null ? 1 : numInstances;
        image = image == null ? DEFAULT_IMAGE : image;
        workingDir = workingDir == null ? DEFAULT_WORKING_DIR : workingDir;
        ports = ports == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(ports));
        retry = retry == null ? RetryPolicy.DEFAULT : retry;
    }

    /** The same config with every env value replaced by {@value #REDACTED}: safe for responses, events and logs. */
    public TaskConfig redacted() {
        Map<String, String> masked = new LinkedHashMap<>();
        env.keySet().forEach(k -> masked.put(k, REDACTED));
        return toBuilder().env(masked).build();
    }

    /** Env values are secrets: the string form shows keys only. */
    @Override
    public String toString() {
        return "TaskConfig[name=" + name + ", instanceType=" + instanceType + ", minGpuMemoryGb=" + minGpuMemoryGb
                + ", command=" + command + ", volumes=" + volumes + ", envKeys=" + env.keySet() + ", sshKeys=" + sshKeys
                + ", maxPricePerHour=" + maxPricePerHour + ", maxRunTimeHours=" + maxRunTimeHours
                + ", numInstances=" + numInstances + ", image=" + image + ", workingDir=" + workingDir
                + ", region=" + region + ", ports=" + ports + ", retry=" + retry + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().name(name).instanceType(instanceType).minGpuMemoryGb(minGpuMemoryGb).command(command)
                .volumes(volumes).env(env).sshKeys(sshKeys).maxPricePerHour(maxPricePerHour)
                .maxRunTimeHours(maxRunTimeHours).numInstances(numInstances).image(image).workingDir(workingDir)
                .region(region).ports(ports).retry(retry);
    }

    /** For Java callers (the CLI, tests): unset fields take the defaults. */
    public static final class Builder {
        private String name;
        private String instanceType;
        private Integer minGpuMemoryGb;
        private Command command;
        private List<VolumeSpec> volumes;
        private Map<String, String> env;
        private List<String> sshKeys;
        private BigDecimal maxPricePerHour;
        private BigDecimal maxRunTimeHours;
        private Integer numInstances;
        private String image;
        private String workingDir;
        private String region;
        private List<Integer> ports;
        private RetryPolicy retry;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder instanceType(String instanceType) {
            this.instanceType = instanceType;
            return this;
        }

        public Builder minGpuMemoryGb(Integer minGpuMemoryGb) {
            this.minGpuMemoryGb = minGpuMemoryGb;
            return this;
        }

        public Builder command(Command command) {
            this.command = command;
            return this;
        }

        public Builder command(String script) {
            return command(Command.of(script));
        }

        public Builder command(List<String> argv) {
            return command(Command.of(argv));
        }

        public Builder volumes(List<VolumeSpec> volumes) {
            this.volumes = volumes;
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        public Builder sshKeys(List<String> sshKeys) {
            this.sshKeys = sshKeys;
            return this;
        }

        public Builder maxPricePerHour(BigDecimal maxPricePerHour) {
            this.maxPricePerHour = maxPricePerHour;
            return this;
        }

        public Builder maxRunTimeHours(BigDecimal maxRunTimeHours) {
            this.maxRunTimeHours = maxRunTimeHours;
            return this;
        }

        public Builder numInstances(Integer numInstances) {
            this.numInstances = numInstances;
            return this;
        }

        public Builder image(String image) {
            this.image = image;
            return this;
        }

        public Builder workingDir(String workingDir) {
            this.workingDir = workingDir;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder ports(List<Integer> ports) {
            this.ports = ports;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public TaskConfig build() {
            return new TaskConfig(name, instanceType, minGpuMemoryGb, command, volumes, env, sshKeys, maxPricePerHour,
                    maxRunTimeHours, numInstances, image, workingDir, region, ports, retry);
        }
    }
}
