package dev.flow.logs.service;

import dev.flow.service.security.ProjectAccess;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Whether a token may see a task's logs: the task must be known (from its status events) and its project named in
 * the token's {@code projects} claim — whatever the token's groups ({@link ProjectAccess} decides). Anything else
 * looks like an unknown task.
 */
@ApplicationScoped
public class TaskVisibility {

    private final TaskDirectory directory;

    public TaskVisibility(TaskDirectory directory) {
        this.directory = directory;
    }

    public boolean visible(String taskId, JsonWebToken token) {
        return directory.find(taskId).map(t -> ProjectAccess.mayUse(token, t.project())).orElse(false);
    }

    public boolean visible(String taskId, ProjectAccess access) {
        return directory.find(taskId).map(t -> access.mayUse(t.project())).orElse(false);
    }
}
