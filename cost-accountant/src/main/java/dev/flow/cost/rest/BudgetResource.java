package dev.flow.cost.rest;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import dev.flow.cost.domain.Budget;
import dev.flow.cost.service.BudgetService;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import dev.flow.service.rest.PathIds;
import dev.flow.service.security.ProjectAccess;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/** Budgets of the caller's projects (changes need the admin claim); another project's budget is not found. */
@Path("/v1/budgets")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class BudgetResource {

    private final BudgetService budgets;
    private final ProjectAccess access;
    private final Clock clock;

    public BudgetResource(BudgetService budgets, ProjectAccess access, Clock clock) {
        this.budgets = budgets;
        this.access = access;
        this.clock = clock;
    }

    /** Creates the project's budget for the period, or replaces the existing one's limit and thresholds. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "the budget and its spend so far", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BudgetView.class)))
    @APIResponse(responseCode = "422", description = "ValidationError: a bad field, named, with what is accepted")
    public Uni<RestResponse<BudgetView>> put(@Valid @NotNull BudgetRequest request) {
        String project = access.resolve(request.project());
        requireAdmin(project);
        if (!request.limit().isPositive()) {
            throw ValidationError.of(FieldError.of("limit", "must be more than $0.00"));
        }
        Instant now = clock.instant();
        return budgets.put(project, request.period(), request.limit().amount(),
                        request.thresholds() == null ? List.of(50, 80) : request.thresholds(), request.action(),
                        access.caller(), now)
                .flatMap(budget -> budgets.status(budget, now))
                .map(status -> RestResponse.status(Response.Status.CREATED, BudgetView.of(status)));
    }

    @GET
    public Uni<List<BudgetView>> list(@RestQuery String project) {
        Set<String> projects = access.projects();
        if (project != null && !project.isBlank()) {
            access.requireVisible(PathIds.require("project", project), "project " + project);
            projects = Set.of(project);
        }
        Instant now = clock.instant();
        return budgets.list(projects).flatMap(list -> budgets.statuses(list, now))
                .map(statuses -> statuses.stream().map(BudgetView::of).toList());
    }

    @GET
    @Path("/{id}")
    public Uni<BudgetView> get(@RestPath String id) {
        Instant now = clock.instant();
        return visible(PathIds.require("budget", id)).flatMap(budget -> budgets.status(budget, now)).map(BudgetView::of);
    }

    @DELETE
    @Path("/{id}")
    public Uni<RestResponse<Void>> delete(@RestPath String id) {
        return visible(PathIds.require("budget", id)).flatMap(budget -> {
            requireAdmin(budget.project);
            return budgets.delete(budget.id);
        }).map(ignored -> RestResponse.noContent());
    }

    /**
     * Changing a budget needs the admin claim, and admin is scoped: it covers the token's own projects only
     * ({@link ProjectAccess#mayAdminister}). A member without it may read the budget, not change it: the
     * {@link ForbiddenException} leaves as the platform's forbidden answer, a 404 problem+json (service-support's
     * mapper), like another project's budget, so a missing claim reveals nothing more than a missing project.
     */
    private void requireAdmin(String project) {
        if (!access.mayAdminister(project)) {
            throw new ForbiddenException("changing a budget needs the admin claim");
        }
    }

    private Uni<Budget> visible(String id) {
        return budgets.find(id).map(budget -> {
            if (budget == null) {
                throw new ResourceNotFoundError("budget " + id + " not found");
            }
            access.requireVisible(budget.project, "budget " + id);
            return budget;
        });
    }
}
