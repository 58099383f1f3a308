package dev.flow.submitter.rest;

import dev.flow.model.error.FieldError;
import dev.flow.service.rest.QueryParams;
import dev.flow.model.error.Suggestions;
import dev.flow.model.error.ValidationError;
import dev.flow.model.instance.GpuType;
import dev.flow.model.instance.InstanceType;
import dev.flow.model.instance.InstanceTypeSpec;
import dev.flow.model.money.Money;
import dev.flow.submitter.service.InstanceCatalog;
import dev.flow.submitter.service.InstanceFilter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The seed's {@code find_instances}: what can be bid on now, from Mithril's live catalog. */
@Path("/v1/instances")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "instances")
public class InstanceResource {

    static final int DEFAULT_LIMIT = 10;
    static final int MAX_LIMIT = 100;
    static final int MAX_GPU_COUNT = 64;

    private final InstanceCatalog catalog;

    public InstanceResource(InstanceCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @Operation(summary = "Find available instances", description = "Spot offers with capacity now, one per (type, "
            + "region), cheapest first. Every criterion is optional: instance_type (a100, 8xh100, a Mithril name or "
            + "FID), min_gpu_count (1-64), max_price (USD per instance-hour), region, gpu_memory_gb (per GPU), "
            + "gpu_type (a100, h100, h200, b200); limit 1-100 (10).")
    public Uni<List<InstanceOfferView>> find(@QueryParam("instance_type") String instanceType,
                                             @QueryParam("min_gpu_count") String minGpuCount,
                                             @QueryParam("max_price") String maxPrice,
                                             @QueryParam("region") String region,
                                             @QueryParam("gpu_memory_gb") String gpuMemoryGb,
                                             @QueryParam("gpu_type") String gpuType,
                                             @QueryParam("limit") String limit) {
        List<FieldError> errors = new ArrayList<>();
        List<String> suggestions = new ArrayList<>();
        InstanceTypeSpec type = null;
        if (instanceType != null && !instanceType.isBlank()) {
            try {
                type = InstanceType.parse(instanceType);
            } catch (ValidationError e) {
                errors.addAll(e.errors());
                suggestions.addAll(e.suggestions());
            }
        }
        Integer gpus = QueryParams.intIn("min_gpu_count", minGpuCount, 1, MAX_GPU_COUNT, null, errors);
        Integer memory = QueryParams.intIn("gpu_memory_gb", gpuMemoryGb, 1, 1024, null, errors);
        Integer max = QueryParams.intIn("limit", limit, 1, MAX_LIMIT, DEFAULT_LIMIT, errors);
        if (region != null && !region.isBlank() && !region.strip().matches("^[a-z0-9][a-z0-9-]{0,63}$")) {
            errors.add(new FieldError("region", "must be a Mithril region such as `us-central1-b`", "us-central1-b"));
        }
        InstanceFilter filter = new InstanceFilter(type, gpus, price(maxPrice, errors), blankToNull(region), memory,
                gpuType(gpuType, errors, suggestions));
        if (!errors.isEmpty()) {
            throw new ValidationError(errors.stream().map(FieldError::toString)
                    .reduce((a, b) -> a + "; " + b).orElseThrow(), errors, suggestions);
        }
        return catalog.available(filter, max).map(offers -> offers.stream().map(InstanceOfferView::of).toList());
    }

    private static Money price(String text, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            Money price = Money.parse(text);
            if (price.amount().signum() >= 0) {
                return price;
            }
            errors.add(new FieldError("max_price", "must not be negative", "2.50"));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("max_price", "`" + text + "` is not a dollar amount", "2.50"));
        }
        return null;
    }

    private static GpuType gpuType(String text, List<FieldError> errors, List<String> suggestions) {
        if (text == null || text.isBlank()) {
            return null;
        }
        List<String> known = Arrays.stream(GpuType.values()).map(GpuType::token).toList();
        String token = text.strip().toLowerCase(Locale.ROOT);
        if (known.contains(token)) {
            return GpuType.valueOf(token.toUpperCase(Locale.ROOT));
        }
        List<String> closest = Suggestions.closest(token, known, 3);
        errors.add(new FieldError("gpu_type", "unknown GPU type `" + text.strip() + "`; Mithril sells "
                + String.join(", ", known), closest.getFirst()));
        suggestions.addAll(closest);
        return null;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
