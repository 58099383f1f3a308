package dev.flow.logs.service;

import dev.flow.service.security.ProjectAccess;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Collection;
import java.util.Optional;

/**
 * Whether a token may see a task's logs: the task must be known (from its status events) and its project named in
 * the token's {@code projects} claim, or the token an admin's. Anything else looks like an unknown task.
 */
@ApplicationScoped
public class TaskVisibility {

    private final TaskDirectory directory;

    public TaskVisibility(TaskDirectory directory) {
        this.directory = directory;
    }

    public boolean visible(String taskId, JsonWebToken token) {
        Optional<TaskDirectory.Entry> task = directory.find(taskId);
        if (task.isEmpty()) {
            return false;
        }
        if (token.getGroups() != null && token.getGroups().contains(ProjectAccess.ADMIN_GROUP)) {
            return true;
        }
        return claims(token.getClaim(ProjectAccess.PROJECTS_CLAIM), task.get().project());
    }

    public boolean visible(String taskId, ProjectAccess access) {
        return directory.find(taskId).map(t -> access.isAdmin() || access.mayUse(t.project())).orElse(false);
    }

    private static boolean claims(Object claim, String project) {
        if (claim instanceof Collection<?> values) {
            return values.stream().map(v -> v instanceof JsonString json ? json.getString() : String.valueOf(v))
                    .anyMatch(project::equals);
        }
        if (claim instanceof JsonString json) {
            return project.equals(json.getString());
        }
        return project.equals(claim);
    }
}
