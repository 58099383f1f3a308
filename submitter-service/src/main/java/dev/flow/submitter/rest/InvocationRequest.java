package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.submitter.service.InvocationService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * The body of {@code POST /v1/invocations}: the seed's {@code invoke(module, function, args, kwargs, gpu,
 * **config_kwargs)}. The module travels as its source; {@code gpu} is the seed's name for {@code instance_type};
 * the remaining fields are the TaskConfig options the task is submitted with (checked by the task's own rules).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "InvocationRequest")
public record InvocationRequest(
        @Schema(description = "the Python module's source (UTF-8)", required = true) String moduleSource,
        @Schema(description = "the name it is imported as (default `module`)", examples = "train") String moduleName,
        @Schema(description = "the function to call; `Class.method` reaches an attribute", required = true,
                examples = "fit") String function,
        @Schema(description = "positional arguments (JSON values)") JsonNode args,
        @Schema(description = "keyword arguments (a JSON object)") JsonNode kwargs,
        @Schema(description = "the seed's `gpu`: an instance type") String gpu,
        JsonNode instanceType,
        JsonNode minGpuMemoryGb,
        JsonNode maxPricePerHour,
        JsonNode maxRunTimeHours,
        JsonNode region,
        JsonNode name,
        JsonNode env,
        JsonNode sshKeys,
        JsonNode image,
        JsonNode volumes) {

    static final String EXAMPLE = "{\"module_source\": \"def fit(x, epochs=1):\\n    return x * epochs\\n\", "
            + "\"module_name\": \"train\", \"function\": \"fit\", \"args\": [2], \"kwargs\": {\"epochs\": 3}, "
            + "\"instance_type\": \"a100\"}";
    private static final List<String> FIELDS = List.of("module_source", "module_name", "function", "args", "kwargs",
            "gpu", "instance_type", "min_gpu_memory_gb", "max_price_per_hour", "max_run_time_hours", "region", "name",
            "env", "ssh_keys", "image", "volumes");

    static InvocationRequest parse(String json) {
        return StrictJson.read(json, InvocationRequest.class, FIELDS, EXAMPLE);
    }

    InvocationService.Call toCall() {
        return new InvocationService.Call(moduleSource, moduleName, function, args, kwargs, gpu, instanceType,
                minGpuMemoryGb, maxPricePerHour, maxRunTimeHours, region, name, env, sshKeys, image, volumes);
    }
}
