package dev.flow.submitter.rest;

import java.util.List;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * The {@code TaskConfig} request schema is derived from the shared-model record, whose Bean Validation constraints
 * ({@code @NotNull} on volumes, env, image...) hold for the record once built, after absent fields took the seed's
 * defaults. In a request only {@code command} must be given, so the document says exactly that.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class TaskConfigSchemaFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null || openAPI.getComponents().getSchemas() == null) {
            return;
        }
        Schema config = openAPI.getComponents().getSchemas().get("TaskConfig");
        if (config != null) {
            config.setRequired(List.of("command"));
            config.setDescription("What to run (the Flow SDK's TaskConfig, snake_case). Only command is required: "
                    + "absent fields take the SDK's defaults (name flow-task, image ubuntu:24.04, working_dir "
                    + "/workspace, num_instances 1); give instance_type or min_gpu_memory_gb, not both.");
        }
    }
}
