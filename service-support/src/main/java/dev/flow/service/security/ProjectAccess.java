package dev.flow.service.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.error.FieldError;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The one place that decides what a bearer token allows, for every service.
 * <ul>
 *   <li>It may see and use the projects named in its {@value #PROJECTS_CLAIM} claim, and nothing else. Another
 *   project's resource is reported as not found, so a token learns nothing about projects it may not touch.</li>
 *   <li>The {@value #ADMIN_GROUP} group is a tenant role: it may change the settings (budgets) <em>of the token's own
 *   projects</em>. It never widens what the token sees — dev tokens carry it.</li>
 *   <li>The {@value #OPERATOR_GROUP} group is the platform operator's (Prometheus, on-call): it may read
 *   {@code /q/metrics} ({@link OperatorEndpoints}). No tenant token carries it, and it grants no project.</li>
 * </ul>
 */
@RequestScoped
public class ProjectAccess {

    public static final String PROJECTS_CLAIM = "projects";
    public static final String ADMIN_GROUP = "admin";
    public static final String OPERATOR_GROUP = "flow-operator";

    private final JsonWebToken token;

    public ProjectAccess(JsonWebToken token) {
        this.token = token;
    }

    /** The caller: the token's subject. */
    public String caller() {
        return token.getSubject() != null ? token.getSubject() : token.getName();
    }

    /** The projects the token may use, in the token's order (the first is the default). */
    public Set<String> projects() {
        return projectsOf(token.getClaim(PROJECTS_CLAIM));
    }

    /** Whether the token carries the tenant {@value #ADMIN_GROUP} group; see {@link #mayAdminister(String)}. */
    public boolean isAdmin() {
        return hasGroup(token, ADMIN_GROUP);
    }

    public boolean mayUse(String project) {
        return mayUse(token, project);
    }

    /** An admin may change the settings of its own projects only. */
    public boolean mayAdminister(String project) {
        return isAdmin() && mayUse(project);
    }

    /**
     * Whether a token may see and use a project: only when its {@value #PROJECTS_CLAIM} claim names it, whatever its
     * groups. For code that holds a token outside a request scope (the log socket's upgrade check).
     */
    public static boolean mayUse(JsonWebToken token, String project) {
        return project != null && projectsOf(token.getClaim(PROJECTS_CLAIM)).contains(project);
    }

    /** The stream, ended when the caller's token expires (see {@link TokenLifetime}). */
    public <T> Multi<T> untilTokenExpires(Multi<T> stream) {
        return TokenLifetime.bounded(stream, token);
    }

    static boolean hasGroup(JsonWebToken token, String group) {
        return token.getGroups() != null && token.getGroups().contains(group);
    }

    /**
     * The project a request acts on: the one it names, which the token must allow, or the token's first project.
     *
     * @throws ValidationError when none is named and the token has none, or it names one the token does not allow
     */
    public String resolve(String requested) {
        Set<String> allowed = projects();
        if (requested == null || requested.isBlank()) {
            return allowed.stream().findFirst().orElseThrow(() -> ValidationError.of(FieldError.of("project",
                    "is required: the token names no project")));
        }
        if (!allowed.contains(requested)) {
            throw new ValidationError("the token may not use project " + requested,
                    List.of(new FieldError("project", "is not one of the token's projects",
                            allowed.isEmpty() ? null : "use one of " + allowed)));
        }
        return requested;
    }

    /** Passes when the token may see a resource of that project, else it is reported as not found. */
    public void requireVisible(String project, String what) {
        if (!mayUse(project)) {
            throw new ResourceNotFoundError(what + " not found");
        }
    }

    static Set<String> projectsOf(Object claim) {
        Set<String> projects = new LinkedHashSet<>();
        if (claim instanceof Collection<?> values) {
            for (Object value : values) {
                String text = value instanceof JsonString json ? json.getString() : String.valueOf(value);
                if (!text.isBlank()) {
                    projects.add(text);
                }
            }
        } else if (claim instanceof JsonString json) {
            projects.add(json.getString());
        } else if (claim instanceof String text && !text.isBlank()) {
            projects.add(text);
        }
        return projects;
    }
}
