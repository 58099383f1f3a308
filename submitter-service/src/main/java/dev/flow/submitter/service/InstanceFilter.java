package dev.flow.submitter.service;

import dev.flow.model.instance.GpuType;
import dev.flow.model.instance.InstanceTypeSpec;
import dev.flow.model.money.Money;

/**
 * The seed's {@code find_instances} requirements; a null criterion accepts everything.
 *
 * @param instanceType exactly this type (a parsed short/Mithril name or an FID)
 * @param minGpuCount  at least this many GPUs per instance
 * @param maxPrice     at most this spot price per instance-hour
 * @param region       only this region
 * @param gpuMemoryGb  at least this much memory per GPU (the seed: "per device")
 * @param gpuType      only this GPU model
 */
public record InstanceFilter(InstanceTypeSpec instanceType, Integer minGpuCount, Money maxPrice, String region,
                             Integer gpuMemoryGb, GpuType gpuType) {

    boolean accepts(InstanceCatalog.Offer offer) {
        return (instanceType == null || offer.matches(instanceType))
                && (minGpuCount == null || offer.type().numGpus() >= minGpuCount)
                && (maxPrice == null || offer.auction().lastInstancePrice().compareTo(maxPrice) <= 0)
                && (region == null || region.equals(offer.auction().region()))
                && (gpuMemoryGb == null || offer.type().gpuMemoryGb() >= gpuMemoryGb)
                && (gpuType == null || gpuType.token().equals(offer.gpuToken()));
    }
}
