package dev.flow.submitter.rest;

import dev.flow.service.rest.PathIds;
import dev.flow.service.security.ProjectAccess;
import dev.flow.service.vertx.VertxContexts;
import dev.flow.submitter.config.SubmitterConfig;
import dev.flow.submitter.service.TaskChanges;
import dev.flow.submitter.service.TaskService;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A task's status as a push channel: clients ({@code Task.waitFor}, the CLI's pending line) follow it instead of
 * re-reading {@code GET /v1/tasks/{id}} on a timer.
 */
@Path("/v1/tasks/{id}/events")
@Authenticated
@Tag(name = "tasks")
public class TaskEventsResource {

    static final String EVENT = "task";

    private final TaskService tasks;
    private final TaskChanges changes;
    private final ProjectAccess access;
    private final SubmitterConfig config;

    public TaskEventsResource(TaskService tasks, TaskChanges changes, ProjectAccess access, SubmitterConfig config) {
        this.tasks = tasks;
        this.changes = changes;
        this.access = access;
        this.config = config;
    }

    /** What the stream re-reads on: the start, a change announced by the consumers, or a heartbeat tick. */
    private enum Signal { START, CHANGE, BEAT }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Follow a task's status (server-sent events)", description = "First an event `task` with the "
            + "task as GET /v1/tasks/{id} returns it, then one each time the platform records a change of it (status, "
            + "nodes, cost); the stream ends after the event with a terminal status, or when the bearer token expires. `id` numbers the events of one "
            + "stream. A comment line every 15 s (flow.submitter.events-heartbeat) keeps proxies from closing it. "
            + "After a reconnect the first event is the current state again, so nothing is missed.")
    @APIResponse(responseCode = "200", description = "the stream")
    @APIResponse(responseCode = "404", description = "no such task, or another project's")
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        PathIds.require("task", id);
        // both read on the request's thread: the caller's projects, and the context Hibernate Reactive must run on
        Set<String> projects = access.projects();
        Executor context = VertxContexts.current();
        AtomicLong sequence = new AtomicLong();
        // the change listener is subscribed first (merge subscribes in order), so a change committed while the
        // first read runs is announced to this stream too: at worst the same state is sent twice, never missed
        Multi<Signal> signals = Multi.createBy().merging().streams(
                changes.of(id).map(ignored -> Signal.CHANGE),
                Multi.createFrom().ticks().every(config.eventsHeartbeat()).onOverflow().drop().map(t -> Signal.BEAT),
                Multi.createFrom().item(Signal.START));
        return signals.emitOn(context)
                .onItem().transformToUniAndConcatenate(signal -> signal == Signal.BEAT
                        ? Uni.createFrom().item(sse.newEventBuilder().comment("keep-alive").build())
                        : tasks.get(id, projects).map(task -> sse.newEventBuilder().name(EVENT)
                                .id(Long.toString(sequence.incrementAndGet()))
                                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                                .data(TaskView.class, TaskViews.of(task, Instant.now())).build()))
                // after the terminal event an empty marker follows, and select().first ends the stream before it
                .onItem().<Optional<OutboundSseEvent>>transformToMultiAndConcatenate(event -> isTerminal(event)
                        ? Multi.createFrom().items(Optional.of(event), Optional.empty())
                        : Multi.createFrom().item(Optional.of(event)))
                .select().first(Optional::isPresent)
                .map(Optional::get)
                // the stream ends when the caller's token expires: reconnect with a fresh one
                .plug(access::untilTokenExpires);
    }

    private static boolean isTerminal(OutboundSseEvent event) {
        return event.getData() instanceof TaskView view && view.status() != null && view.status().isTerminal();
    }
}
