package dev.flow.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.model.status.TaskStatus;

/**
 * A task as the submitter answers it ({@code GET /v1/tasks/{id}}): the seed's Task attributes, snake_case in JSON.
 * {@code config} is the redacted configuration (env values are {@code ***}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TaskView(String taskId, String name, String project, TaskStatus status, String reason, String message,
                       Instant createdAt, Instant startedAt, Instant completedAt, String instanceType,
                       String instanceTypeName, Integer numInstances, String region, List<String> instances,
                       String costPerHour, String limitPrice, String totalCost, String sshHost, Integer sshPort,
                       String sshUser, String sshCommand, Map<String, String> endpoints, String bidName,
                       String bidFid, Integer restartCount, Boolean cancelRequested, JsonNode config) {

    public TaskView {
        instances = instances == null ? List.of() : List.copyOf(instances);
        endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
        numInstances = numInstances == null ? 1 : numInstances;
        sshPort = sshPort == null ? 22 : sshPort;
        sshUser = sshUser == null ? "ubuntu" : sshUser;
    }
}
