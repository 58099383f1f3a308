package dev.flow.submitter.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flow.model.json.FlowJson;
import dev.flow.model.task.TaskConfig;
import dev.flow.submitter.domain.TaskEntity;

import java.io.UncheckedIOException;

/** Reading a task row's stored (redacted) config. */
public final class TaskViewsSupport {

    private TaskViewsSupport() {
    }

    public static TaskConfig config(TaskEntity task) {
        try {
            return FlowJson.mapper().readValue(task.configJson, TaskConfig.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
