package dev.flow.client;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.VolumeSpec;

/**
 * The seed's {@code **kwargs} of {@code flow.run(command, ...)}: what overrides the TaskConfig defaults when the
 * task is given as a command string. Unset options keep the TaskConfig defaults (and the configured region/SSH keys).
 */
public final class RunOptions {

    private String name;
    private String instanceType;
    private Integer minGpuMemoryGb;
    private final List<VolumeSpec> volumes = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private BigDecimal maxPricePerHour;
    private BigDecimal maxRunTimeHours;
    private Integer numInstances;
    private String image;
    private String workingDir;
    private String region;
    private final List<Integer> ports = new ArrayList<>();
    private final List<String> sshKeys = new ArrayList<>();

    public static RunOptions instanceType(String instanceType) {
        return new RunOptions().withInstanceType(instanceType);
    }

    public RunOptions withName(String name) {
        this.name = name;
        return this;
    }

    public RunOptions withInstanceType(String instanceType) {
        this.instanceType = instanceType;
        return this;
    }

    public RunOptions withMinGpuMemoryGb(int gb) {
        this.minGpuMemoryGb = gb;
        return this;
    }

    public RunOptions withVolume(VolumeSpec volume) {
        this.volumes.add(volume);
        return this;
    }

    /** {@code {"name": "data", "size_gb": 100}}: mounted at the seed's default {@code /data}. */
    public RunOptions withVolume(String name, int sizeGb) {
        return withVolume(new VolumeSpec(name, sizeGb, null, null));
    }

    public RunOptions withEnv(String key, String value) {
        this.env.put(key, value);
        return this;
    }

    public RunOptions withEnv(Map<String, String> env) {
        this.env.putAll(env);
        return this;
    }

    public RunOptions withMaxPricePerHour(BigDecimal dollars) {
        this.maxPricePerHour = dollars;
        return this;
    }

    public RunOptions withMaxPricePerHour(String dollars) {
        return withMaxPricePerHour(new BigDecimal(dollars.replace("$", "").strip()));
    }

    public RunOptions withMaxRunTimeHours(BigDecimal hours) {
        this.maxRunTimeHours = hours;
        return this;
    }

    public RunOptions withNumInstances(int n) {
        this.numInstances = n;
        return this;
    }

    public RunOptions withImage(String image) {
        this.image = image;
        return this;
    }

    public RunOptions withWorkingDir(String workingDir) {
        this.workingDir = workingDir;
        return this;
    }

    public RunOptions withRegion(String region) {
        this.region = region;
        return this;
    }

    public RunOptions withPort(int port) {
        this.ports.add(port);
        return this;
    }

    public RunOptions withSshKey(String key) {
        this.sshKeys.add(key);
        return this;
    }

    /** The TaskConfig these options make of {@code command}; the configured region and SSH keys fill the gaps. */
    public TaskConfig toConfig(String command, FlowConfig defaults) {
        TaskConfig.Builder b = TaskConfig.builder().command(command).name(name).instanceType(instanceType)
                .minGpuMemoryGb(minGpuMemoryGb).volumes(volumes).env(env).maxPricePerHour(maxPricePerHour)
                .maxRunTimeHours(maxRunTimeHours).numInstances(numInstances).image(image).workingDir(workingDir)
                .region(region != null ? region : defaults.region().orElse(null)).ports(ports)
                .sshKeys(!sshKeys.isEmpty() ? sshKeys : defaults.sshKeys());
        return b.build();
    }
}
