package dev.flow.emulator.rest;

import dev.flow.emulator.api.Models.AuctionModel;
import dev.flow.emulator.api.Models.CurrentPricesResponse;
import dev.flow.emulator.api.Models.InstanceTypeModel;
import dev.flow.emulator.api.Query;
import dev.flow.emulator.service.EmulatorEngine;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** Instance types, spot availability and current prices. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {

    private final EmulatorEngine engine;

    public CatalogResource(EmulatorEngine engine) {
        this.engine = engine;
    }

    @GET
    @Path("/instance-types")
    public List<InstanceTypeModel> instanceTypes() {
        return engine.instanceTypes();
    }

    /** The SPEC has no query parameters here; the SDK sometimes sends some anyway and they are ignored, as upstream. */
    @GET
    @Path("/spot/availability")
    public List<AuctionModel> availability() {
        return engine.availability();
    }

    @GET
    @Path("/pricing/current")
    public CurrentPricesResponse current(@QueryParam("instance_type") String instanceType,
                                         @QueryParam("region") String region,
                                         @QueryParam("instance_quantity") String quantity) {
        Query q = new Query();
        q.required("instance_type", instanceType);
        int qty = q.intRange("instance_quantity", quantity, 1, 256, 1);
        q.failIfErrors();
        return engine.currentPrice(instanceType, region == null || region.isEmpty() ? null : region, qty);
    }
}
