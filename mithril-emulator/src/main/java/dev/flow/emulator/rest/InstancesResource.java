package dev.flow.emulator.rest;

import dev.flow.emulator.api.Models.DataPage;
import dev.flow.emulator.api.Models.InstanceModel;
import dev.flow.emulator.api.Models.InstancePricingHistoryResponse;
import dev.flow.emulator.api.Models.InstanceStatusHistoryResponse;
import dev.flow.emulator.api.Models.InstanceStatusResponse;
import dev.flow.emulator.api.Query;
import dev.flow.emulator.domain.InstanceStatus;
import dev.flow.emulator.service.EmulatorEngine;
import dev.flow.emulator.service.Requests;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.emulator.api.ApiException;
import dev.flow.emulator.api.Body;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.flow.emulator.rest.BidsResource.blank;

/** Instances (created by allocated bids) and their status/pricing history. */
@Path("/v2/instances")
@Produces(MediaType.APPLICATION_JSON)
public class InstancesResource {

    private static final Set<String> STATUSES = Arrays.stream(InstanceStatus.values()).map(Enum::name)
            .collect(Collectors.toUnmodifiableSet());

    private final EmulatorEngine engine;

    public InstancesResource(EmulatorEngine engine) {
        this.engine = engine;
    }

    @GET
    public DataPage<InstanceModel> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                        @QueryParam("project") String project,
                                        @QueryParam("instance_type") String instanceType,
                                        @QueryParam("region") String region,
                                        @QueryParam("status_in") String statusIn,
                                        @QueryParam("order_type_in") String orderTypeIn,
                                        @QueryParam("bid_fid_in") String bidFidIn,
                                        @QueryParam("reservation_fid_in") String reservationFidIn,
                                        @QueryParam("limit") String limit,
                                        @QueryParam("next_cursor") String cursor,
                                        @QueryParam("sort_by") String sortBy,
                                        @QueryParam("sort_dir") String sortDir) {
        Query q = new Query();
        q.required("project", project);
        int pageSize = q.intRange("limit", limit, 1, 100, 100);
        var filter = new Requests.InstanceFilter(project, blank(instanceType), blank(region),
                q.csv("status_in", statusIn, STATUSES), q.csv("order_type_in", orderTypeIn, Set.of("Bid", "Reservation")),
                q.csv("bid_fid_in", bidFidIn, null), q.csv("reservation_fid_in", reservationFidIn, null));
        String by = q.oneOf("sort_by", sortBy, Set.of("created_at", "instance_status", "instance_type_fid"));
        String dir = q.oneOf("sort_dir", sortDir, Set.of("asc", "desc"));
        q.failIfErrors();
        return engine.listInstances(Callers.of(engine, auth), filter, cursor, pageSize, by, dir);
    }

    /** Start/stop is for reserved instances only; every emulated instance belongs to a spot bid (SPEC: 501). */
    @PATCH
    @Consumes(MediaType.APPLICATION_JSON)
    public void patchStatus(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, JsonNode json) {
        Body body = new Body(json);
        List<String> instances = body.strings(true, "instances");
        body.oneOf(Set.of("STATUS_RUNNING", "STATUS_PAUSED"), true, "status");
        body.failIfErrors();
        var caller = Callers.of(engine, auth);
        for (String fid : instances) {
            engine.instanceStatus(caller, fid);
        }
        throw new ApiException(501, "Starting and stopping spot instances is not supported; pause the bid instead");
    }

    @GET
    @Path("/{instance_fid}/status")
    public InstanceStatusResponse status(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                         @PathParam("instance_fid") String fid) {
        return engine.instanceStatus(Callers.of(engine, auth), fid);
    }

    @GET
    @Path("/status/history")
    public InstanceStatusHistoryResponse statusHistory(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                                       @QueryParam("project") String project,
                                                       @QueryParam("instance_fid") String instanceFid,
                                                       @QueryParam("bid_fid") String bidFid,
                                                       @QueryParam("reservation_fid") String reservationFid,
                                                       @QueryParam("limit") String limit,
                                                       @QueryParam("start_time") String start,
                                                       @QueryParam("end_time") String end,
                                                       @QueryParam("next_cursor") String cursor) {
        Query q = new Query();
        var filter = historyFilter(q, project, instanceFid, bidFid, reservationFid, start, end);
        int pageSize = q.intRange("limit", limit, 1, 100, 100);
        q.failIfErrors();
        return engine.statusHistory(Callers.of(engine, auth), filter, cursor, pageSize);
    }

    @GET
    @Path("/pricing/history")
    public InstancePricingHistoryResponse pricingHistory(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                                         @QueryParam("project") String project,
                                                         @QueryParam("instance_fid") String instanceFid,
                                                         @QueryParam("bid_fid") String bidFid,
                                                         @QueryParam("reservation_fid") String reservationFid,
                                                         @QueryParam("limit") String limit,
                                                         @QueryParam("start_time") String start,
                                                         @QueryParam("end_time") String end,
                                                         @QueryParam("next_cursor") String cursor) {
        Query q = new Query();
        var filter = historyFilter(q, project, instanceFid, bidFid, reservationFid, start, end);
        int pageSize = q.intRange("limit", limit, 1, 100, 100);
        q.failIfErrors();
        return engine.pricingHistory(Callers.of(engine, auth), filter, cursor, pageSize);
    }

    private static Requests.HistoryFilter historyFilter(Query q, String project, String instanceFid, String bidFid,
                                                        String reservationFid, String start, String end) {
        q.required("project", project);
        return new Requests.HistoryFilter(project, blank(instanceFid), blank(bidFid), blank(reservationFid),
                q.instant("start_time", start), q.instant("end_time", end));
    }
}
