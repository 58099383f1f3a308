package dev.flow.submitter.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.flow.submitter.service.InstanceCatalog;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One available spot offer, as the seed's {@code find_instances} returns it.
 *
 * @param instanceType      the short name ({@code 4xa100}); Mithril's name for a type the platform has no short name for
 * @param mithrilName       Mithril's catalog name ({@code a100-80gb.sxm.4x})
 * @param fid               the type's FID in that region (FIDs differ per region)
 * @param gpuMemoryGb       memory per GPU
 * @param pricePerHour      the current spot price per instance-hour, {@code "$x.xx"}
 * @param availableCapacity instances that can be allocated now
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "InstanceOffer", description = "An instance type available now in one region")
public record InstanceOfferView(String instanceType, String mithrilName, String fid, String region, String gpuType,
                                int gpuCount, int gpuMemoryGb, String pricePerHour, int availableCapacity) {

    static InstanceOfferView of(InstanceCatalog.Offer offer) {
        return new InstanceOfferView(offer.displayName(), offer.type().name(), offer.type().fid(),
                offer.auction().region(), offer.gpuToken(), offer.type().numGpus(), offer.type().gpuMemoryGb(),
                offer.auction().lastInstancePrice().toString(), offer.auction().capacity());
    }
}
