package dev.flow.emulator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Wire models of the Mithril v2 API (schemas of mithril-compute-openapi.json). Field names are written snake_case by
 * the global Jackson naming strategy; nullable fields are written as null, as FastAPI does.
 */
public final class Models {

    private Models() {
    }

    public record ProjectModel(String fid, String name, Instant createdAt) {
    }

    public record MeResponse(String id, String fid, String email, String userName, String organizationId,
                             String organizationRole) {
    }

    public record QuotaModel(String fid, String project, String instanceType, String productType, int totalQuantity,
                             int usedQuantity, String units, String name) {
    }

    public record InstanceTypeModel(String fid, String name, int numCpus, String cpuType, int ramGb, int numGpus,
                                    String gpuType, int gpuMemoryGb, String gpuSocket, int localStorageGb,
                                    String networkType, int ibCount, int bridgeCount) {
    }

    public record AuctionModel(String fid, String instanceType, String region, int capacity, String lastInstancePrice,
                               String lowestAllocatedPrice, boolean adjustableMemory, String defaultImageVersion) {
    }

    public record CurrentPricesResponse(Long spotPriceCents, Long reservedPriceCents, Long minimumPriceCents,
                                        Long lowestAllocatedBidCents, Long dynamicWinPriceCents,
                                        Integer availableCapacity, Integer totalCapacity) {
    }

    public record LaunchSpecificationModel(List<String> volumes, List<String> sshKeys, String startupScript,
                                           String kubernetesCluster, String imageVersion, Integer memoryGb) {
    }

    public record BidModel(String fid, String name, String project, String createdBy, Instant createdAt,
                           Instant deactivatedAt, String limitPrice, int instanceQuantity, String instanceType,
                           String region, List<String> instances, LaunchSpecificationModel launchSpecification,
                           String status) {
    }

    /** {@code GetBidsResponse} / {@code GetInstancesResponse}. */
    public record DataPage<T>(List<T> data, String nextCursor) {
    }

    public record BidStatusResponse(String bidFid, String status) {
    }

    public record PersistentDiskChange(String attached, String removed) {
    }

    public record BidHistoryEventModel(Instant timestamp, String eventType, String limitPrice, String userId,
                                       Integer memoryGb,
                                       // a $ref: null would not match the referenced object schema, so it is omitted
                                       @JsonInclude(JsonInclude.Include.NON_NULL) PersistentDiskChange persistentDiskChange) {
    }

    public record BidHistoryResponse(String bidFid, List<BidHistoryEventModel> events) {
    }

    public record InstanceModel(String fid, String name, String project, Instant createdAt, String createdBy,
                                String instanceType, String region, String bid, String reservation,
                                String sshDestination, String privateIp, String status) {
    }

    public record InstanceStatusResponse(String fid, String name, String status, String bid, String reservation,
                                         Instant endTime) {
    }

    public record InstanceStatusEvent(Instant timestamp, String status) {
    }

    public record InstanceStatusHistory(String instanceFid, List<InstanceStatusEvent> events, String bidFid,
                                        String reservationFid) {
    }

    public record InstanceStatusHistoryResponse(List<InstanceStatusHistory> instances, String nextCursor) {
    }

    public record InstancePricingEvent(long priceCents, Instant startTime, Instant endTime) {
    }

    public record InstancePricingHistory(String instanceFid, List<InstancePricingEvent> events, String bidFid,
                                         String reservationFid) {
    }

    public record InstancePricingHistoryResponse(List<InstancePricingHistory> instances, String nextCursor) {
    }

    public record VolumeModel(String fid, String name, String region, Instant createdAt, Instant deletedAt,
                              int capacityGb, String project, @JsonProperty("interface") String diskInterface,
                              List<String> bids, List<String> reservations, Map<String, String> attachments) {
    }

    public record NewSshKeyModel(String fid, String name, String project, String publicKey, Instant createdAt,
                                 boolean required) {
    }

    public record CreatedSshKeyModel(String fid, String name, String project, String publicKey, Instant createdAt,
                                     boolean required, String privateKey) {
        /** The private key only ever leaves the emulator in this one response. */
        @Override
        public String toString() {
            return "CreatedSshKeyModel[fid=" + fid + ", name=" + name + "]";
        }
    }
}
