package dev.flow.model.startup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the Mithril emulator needs to run a task's workload as a local process: the JSON carried inside the
 * {@link WorkloadBlock} of a startup script. JSON is snake_case; unknown fields are ignored so a newer builder
 * can add fields without breaking an older emulator.
 *
 * @param taskId        the Flow task id (the bid fid once known, else the platform's task id)
 * @param command       one bash script text, run with {@code bash -c}; an argv list is shell-quoted into it by the builder
 * @param image         the container image the real platform would run; recorded, not run, by the emulator
 * @param env           environment variables for the workload (values are secrets: never log them)
 * @param workingDir    absolute working directory of the workload
 * @param ports         ports the workload exposes
 * @param numInstances  number of nodes of the bid; each node runs the same workload with its own FLOW_NODE_RANK
 * @param volumes       volumes to mount, by name
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkloadSpec(
        String taskId,
        String command,
        String image,
        Map<String, String> env,
        String workingDir,
        List<Integer> ports,
        int numInstances,
        List<Mount> volumes) {

    public WorkloadSpec {
        Objects.requireNonNull(command, "command");
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(env));
        ports = ports == null ? List.of() : List.copyOf(ports);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        if (numInstances < 1) {
            numInstances = 1;
        }
    }

    /** A volume the workload expects at {@code mountPath}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mount(String name, String mountPath) {
    }

    /** Env values are secrets: the string form shows keys only. */
    @Override
    public String toString() {
        return "WorkloadSpec[taskId=" + taskId + ", command=" + command + ", image=" + image
                + ", envKeys=" + env.keySet() + ", workingDir=" + workingDir + ", ports=" + ports
                + ", numInstances=" + numInstances + ", volumes=" + volumes + "]";
    }
}
