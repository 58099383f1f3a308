package dev.flow.service.probe;

import java.time.Instant;
import java.util.List;

import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.model.event.StopTask;
import dev.flow.model.status.TransitionReason;
import dev.flow.model.task.TaskConfig;
import dev.flow.model.task.TaskConfigs;
import dev.flow.service.messaging.CloudEventRecords;
import dev.flow.service.security.ProjectAccess;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** A test-only resource that exercises what service-support gives every service. */
@Path("/probe")
@Authenticated
public class ProbeResource {

    private final ProjectAccess access;
    private final MutinyEmitter<byte[]> events;

    public ProbeResource(ProjectAccess access, @Channel("probe-events") MutinyEmitter<byte[]> events) {
        this.access = access;
        this.events = events;
    }

    public record Sized(@Min(value = 1, message = "must be at least 1") int sizeGb, String name) {
    }

    @GET
    @Path("/projects/{project}")
    public String project(@PathParam("project") String project) {
        access.requireVisible(project, "project " + project);
        return project;
    }

    @GET
    @Path("/whoami")
    public List<String> whoami() {
        return List.of(access.caller(), String.join(",", access.projects()), Boolean.toString(access.isAdmin()));
    }

    @POST
    @Path("/tasks")
    @Consumes(MediaType.APPLICATION_JSON)
    public TaskConfig task(String body) {
        return TaskConfigs.parse(body).redacted();
    }

    @POST
    @Path("/sized")
    @Consumes(MediaType.APPLICATION_JSON)
    public Sized sized(@Valid Sized sized) {
        return sized;
    }

    public record Priced(java.math.BigDecimal price) {
    }

    @POST
    @Path("/priced")
    @Consumes(MediaType.APPLICATION_JSON)
    public Priced priced(Priced priced) {
        return new Priced(priced.price().add(java.math.BigDecimal.ONE));
    }

    @GET
    @Path("/quota")
    public String quota() {
        throw new InsufficientQuotaError("no spot quota left for a100-80gb.sxm.8x", List.of("ask for 4xa100"));
    }

    @POST
    @Path("/stop/{task}")
    public Uni<Void> stop(@PathParam("task") String task) {
        StopTask command = new StopTask(task, TransitionReason.MAX_RUNTIME, "probe", Instant.parse("2026-01-02T03:04:05Z"));
        return events.sendMessage(CloudEventRecords.toMessage(command, "/flow/probe"));
    }
}
