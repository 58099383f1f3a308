package dev.flow.emulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.emulator.api.Body;
import dev.flow.emulator.api.Models.BidHistoryResponse;
import dev.flow.emulator.api.Models.BidModel;
import dev.flow.emulator.api.Models.BidStatusResponse;
import dev.flow.emulator.api.Models.DataPage;
import dev.flow.emulator.api.Query;
import dev.flow.emulator.domain.Entities.ApiKey;
import dev.flow.emulator.domain.Money;
import dev.flow.emulator.service.EmulatorEngine;
import dev.flow.emulator.service.FaultInjector;
import dev.flow.emulator.service.Requests;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

import java.util.List;
import java.util.Set;

/** Spot bids. */
@Path("/v2/spot/bids")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BidsResource {

    /** Mithril's startup script limit (characters). */
    static final int STARTUP_SCRIPT_LIMIT = 10_000;
    private static final Set<String> STATUSES = Set.of("Open", "Allocated", "Preempting", "Terminated", "Paused");

    private final EmulatorEngine engine;
    private final FaultInjector faults;

    public BidsResource(EmulatorEngine engine, FaultInjector faults) {
        this.engine = engine;
        this.faults = faults;
    }

    @GET
    public DataPage<BidModel> list(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                   @QueryParam("project") String project,
                                   @QueryParam("instance_type") String instanceType,
                                   @QueryParam("region") String region,
                                   @QueryParam("status") String status,
                                   @QueryParam("name") String name,
                                   @QueryParam("limit") String limit,
                                   @QueryParam("next_cursor") String cursor,
                                   @QueryParam("sort_by") String sortBy,
                                   @QueryParam("sort_dir") String sortDir) {
        Query q = new Query();
        int pageSize = q.intRange("limit", limit, 1, 100, 100);
        String st = q.oneOf("status", status, STATUSES);
        String by = q.oneOf("sort_by", sortBy, Set.of("created_at", "status"));
        String dir = q.oneOf("sort_dir", sortDir, Set.of("asc", "desc"));
        q.failIfErrors();
        return engine.listBids(Callers.of(engine, auth),
                new Requests.BidFilter(blank(project), blank(instanceType), blank(region), st, blank(name)),
                cursor, pageSize, by, dir);
    }

    @POST
    @ResponseStatus(201)
    public BidModel create(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, JsonNode json) {
        Body body = new Body(json);
        String project = body.string(true, "project");
        String region = body.string(true, "region");
        String instanceType = body.string(true, "instance_type");
        String limitPrice = body.string(true, "limit_price");
        Integer quantity = body.integer(true, "instance_quantity");
        String name = body.string(true, "name");
        body.string(false, "notification_email");
        List<String> volumes = null;
        List<String> sshKeys = null;
        String script = null;
        String cluster = null;
        String image = null;
        Integer memory = null;
        if (body.isObject(true, "launch_specification")) {
            volumes = body.strings(true, "launch_specification", "volumes");
            sshKeys = body.strings(true, "launch_specification", "ssh_keys");
            script = body.string(false, "launch_specification", "startup_script");
            cluster = body.string(false, "launch_specification", "kubernetes_cluster");
            image = body.string(false, "launch_specification", "image_version");
            memory = body.integer(false, "launch_specification", "memory_gb");
        }
        Long cents = limitPrice == null ? null : price(body, limitPrice, "limit_price");
        if (quantity != null && (quantity < 1 || quantity > 256)) {
            body.error("Instance quantity must be between 1 and 256", "value_error", "instance_quantity");
        }
        if (name != null && name.isBlank()) {
            body.error("Name must not be empty", "value_error", "name");
        }
        if (script != null && script.length() > STARTUP_SCRIPT_LIMIT) {
            body.error("Startup script must be at most " + STARTUP_SCRIPT_LIMIT + " characters", "value_error",
                    "launch_specification", "startup_script");
        }
        body.failIfErrors();
        return engine.createBid(Callers.of(engine, auth), new Requests.CreateBid(project, region, instanceType, cents,
                quantity, name, volumes, sshKeys, script, cluster, image, memory));
    }

    static Long price(Body body, String dollars, String field) {
        Long cents = Money.parse(dollars).orElse(null);
        if (cents == null) {
            body.error("Invalid price '" + dollars + "': expected dollars like $25.60", "value_error", field);
        } else if (cents <= 0) {
            body.error("Price must be greater than $0.00", "value_error", field);
        }
        return cents;
    }

    @GET
    @Path("/{bid_fid}")
    public BidModel get(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("bid_fid") String fid) {
        return engine.getBid(Callers.of(engine, auth), fid);
    }

    @PATCH
    @Path("/{bid_fid}")
    public BidModel update(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("bid_fid") String fid,
                           JsonNode json) {
        Body body = new Body(json);
        String limitPrice = body.string(false, "limit_price");
        Boolean paused = body.bool(false, "paused");
        List<String> volumes = body.strings(false, "volumes");
        Integer memory = body.integer(false, "memory_gb");
        Long cents = limitPrice == null ? null : price(body, limitPrice, "limit_price");
        body.failIfErrors();
        return engine.updateBid(Callers.of(engine, auth), fid, new Requests.UpdateBid(cents, paused, volumes, memory));
    }

    @DELETE
    @Path("/{bid_fid}")
    public void cancel(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("bid_fid") String fid) {
        ApiKey key = Callers.of(engine, auth);
        // an injected "ignore" fault: the usual 204 (or 404 for an unknown bid), but the bid keeps running and billing
        if (faults.ignores("DELETE", "/v2/spot/bids/" + fid)) {
            engine.checkBid(key, fid);
            return;
        }
        engine.cancelBid(key, fid);
    }

    @GET
    @Path("/{bid_fid}/status")
    public BidStatusResponse status(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                    @PathParam("bid_fid") String fid) {
        return engine.bidStatus(Callers.of(engine, auth), fid);
    }

    @GET
    @Path("/{bid_fid}/history")
    public BidHistoryResponse history(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth,
                                      @PathParam("bid_fid") String fid) {
        return engine.bidHistory(Callers.of(engine, auth), fid);
    }

    static String blank(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
