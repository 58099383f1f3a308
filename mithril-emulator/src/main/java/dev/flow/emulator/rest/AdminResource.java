package dev.flow.emulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.emulator.api.ApiException;
import dev.flow.emulator.api.Body;
import dev.flow.emulator.api.Models.AuctionModel;
import dev.flow.emulator.service.EmulatorEngine;
import dev.flow.emulator.service.FaultInjector;
import dev.flow.emulator.service.RequestCounter;
import dev.flow.emulator.ssh.SshGateway;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Test and benchmark controls, outside the Mithril API. */
@Path("/_emulator")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final EmulatorEngine engine;
    private final FaultInjector faults;
    private final RequestCounter counter;
    private final SshGateway ssh;

    public AdminResource(EmulatorEngine engine, FaultInjector faults, RequestCounter counter, SshGateway ssh) {
        this.engine = engine;
        this.faults = faults;
        this.counter = counter;
        this.ssh = ssh;
    }

    public record HostKeyResponse(String fingerprint) {
    }

    /** The instance's SSH server offers a new host key from its next session on (host-key pinning tests). */
    @POST
    @Path("/instances/{fid}/rotate-host-key")
    public HostKeyResponse rotateHostKey(@PathParam("fid") String fid) {
        engine.instanceInfo(fid); // 404 for an unknown instance
        try {
            return new HostKeyResponse(ssh.rotateHostKey(fid));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Pins the spot reserve price of (instance type fid or name, region); {@code price} null unpins. */
    @PUT
    @Path("/spot-price")
    public AuctionModel spotPrice(JsonNode json) {
        Body body = new Body(json);
        String type = body.string(true, "instance_type");
        String region = body.string(true, "region");
        String price = body.string(false, "price");
        Long cents = price == null ? null : BidsResource.price(body, price, "price");
        body.failIfErrors();
        return engine.setSpotPrice(type, region, cents);
    }

    /**
     * Sets a project's spot quota of an instance type: {@code {"project": "<fid or name>", "instance_type":
     * "<fid or name>", "total_quantity": 2}}; {@code total_quantity} null restores the default
     * (1,000,000: never refuses). A bid whose instances would exceed it is refused with a 422 detail on {@code instance_quantity}.
     */
    @PUT
    @Path("/quotas")
    public dev.flow.emulator.api.Models.QuotaModel spotQuota(JsonNode json) {
        Body body = new Body(json);
        String project = body.string(true, "project");
        String type = body.string(true, "instance_type");
        Integer total = body.integer(false, "total_quantity");
        body.failIfErrors();
        if (total != null && total < 0) {
            throw ApiException.badRequest("total_quantity must not be negative");
        }
        return engine.setSpotQuota(project, type, total);
    }

    @POST
    @Path("/bids/{fid}/preempt")
    @ResponseStatus(204)
    public void preemptBid(@PathParam("fid") String fid) {
        engine.preemptBid(fid);
    }

    @POST
    @Path("/instances/{fid}/preempt")
    @ResponseStatus(204)
    public void preemptInstance(@PathParam("fid") String fid) {
        engine.preemptInstance(fid);
    }

    @POST
    @Path("/bids/{fid}/fail")
    @ResponseStatus(204)
    public void failBid(@PathParam("fid") String fid) {
        engine.failBid(fid);
    }

    @POST
    @Path("/instances/{fid}/fail")
    @ResponseStatus(204)
    public void failInstance(@PathParam("fid") String fid) {
        engine.failInstance(fid);
    }

    @GET
    @Path("/instances/{fid}")
    public EmulatorEngine.InstanceInfo instance(@PathParam("fid") String fid) {
        return engine.instanceInfo(fid);
    }

    @GET
    @Path("/settings")
    public EmulatorEngine.Settings settings() {
        return engine.settings();
    }

    /** Any of auction_interval_ms, clock_speed, instance_step_delay_ms, preemption_notice_ms, volatility_bps. */
    @PUT
    @Path("/settings")
    public EmulatorEngine.Settings updateSettings(JsonNode json) {
        Body body = new Body(json);
        Integer auction = body.integer(false, "auction_interval_ms");
        Double speed = json.hasNonNull("clock_speed") && json.get("clock_speed").isNumber()
                ? json.get("clock_speed").doubleValue() : null;
        Integer step = body.integer(false, "instance_step_delay_ms");
        Integer notice = body.integer(false, "preemption_notice_ms");
        Integer volatility = body.integer(false, "volatility_bps");
        body.failIfErrors();
        return engine.updateSettings(auction == null ? null : auction.longValue(), speed,
                step == null ? null : step.longValue(), notice == null ? null : notice.longValue(), volatility);
    }

    public record ClockResponse(Instant now) {
    }

    @POST
    @Path("/clock/advance")
    public ClockResponse advance(JsonNode json) {
        Body body = new Body(json);
        Integer seconds = body.integer(true, "seconds");
        body.failIfErrors();
        if (seconds < 0) {
            throw ApiException.badRequest("seconds must not be negative");
        }
        return new ClockResponse(engine.advanceClock(Duration.ofSeconds(seconds)));
    }

    @POST
    @Path("/auction")
    @ResponseStatus(204)
    public void auction() {
        engine.runAuctionNow();
    }

    @POST
    @Path("/faults")
    @ResponseStatus(201)
    public FaultInjector.Rule addFault(JsonNode json) {
        Body body = new Body(json);
        String path = body.string(true, "path_pattern");
        String method = body.string(false, "method");
        Integer status = body.integer(false, "status");
        Integer retryAfter = body.integer(false, "retry_after_seconds");
        Integer latency = body.integer(false, "latency_ms");
        Integer count = body.integer(false, "count");
        String detail = body.string(false, "detail");
        Boolean ignore = body.bool(false, "ignore");
        double rate = json != null && json.hasNonNull("rate") && json.get("rate").isNumber() ? json.get("rate").doubleValue() : 1.0;
        boolean ignoring = Boolean.TRUE.equals(ignore);
        if (ignoring && (status != null || latency != null)) {
            body.error("An ignore rule answers as usual: give no status or latency_ms with it", "value_error",
                    "ignore");
        } else if (!ignoring && status == null && latency == null) {
            body.error("Give a status, a latency_ms, or both (or ignore: true)", "value_error", "status");
        }
        body.failIfErrors();
        return faults.add(method, path, status, retryAfter, latency == null ? 0 : latency, rate, count, detail,
                ignoring);
    }

    @GET
    @Path("/faults")
    public List<FaultInjector.Rule> faults() {
        return faults.list();
    }

    @DELETE
    @Path("/faults")
    public void clearFaults() {
        faults.clear();
    }

    @GET
    @Path("/requests")
    public Map<String, Long> requests() {
        return counter.snapshot();
    }

    @DELETE
    @Path("/requests")
    public void clearRequests() {
        counter.clear();
    }

    /** Drops every bid, instance, volume and key, kills all processes, clears faults and counters. */
    @POST
    @Path("/reset")
    @ResponseStatus(204)
    public void reset() {
        engine.reset();
        faults.clear();
        counter.clear();
    }
}
