package dev.flow.service.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.error.FieldError;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * What the caller's bearer token allows: the projects named in its {@value #PROJECTS_CLAIM} claim, and whether it
 * carries the {@value #ADMIN_GROUP} group. Another project's resource is reported as not found, so a token learns
 * nothing about projects it may not touch.
 */
@RequestScoped
public class ProjectAccess {

    public static final String PROJECTS_CLAIM = "projects";
    public static final String ADMIN_GROUP = "admin";

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

    public boolean isAdmin() {
        return token.getGroups() != null && token.getGroups().contains(ADMIN_GROUP);
    }

    public boolean mayUse(String project) {
        return project != null && projects().contains(project);
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
