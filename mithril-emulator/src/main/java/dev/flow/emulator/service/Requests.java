package dev.flow.emulator.service;

import java.util.List;

/** Validated request bodies handed from the REST layer to the engine. */
public final class Requests {

    private Requests() {
    }

    public record CreateBid(String project, String region, String instanceType, long limitCents, int instanceQuantity,
                            String name, List<String> volumes, List<String> sshKeys, String startupScript,
                            String kubernetesCluster, String imageVersion, Integer memoryGb) {
        /** The startup script carries env values: never in logs. */
        @Override
        public String toString() {
            return "CreateBid[project=" + project + ", region=" + region + ", instanceType=" + instanceType
                    + ", name=" + name + ", quantity=" + instanceQuantity + "]";
        }
    }

    public record UpdateBid(Long limitCents, Boolean paused, List<String> volumes, Integer memoryGb) {
    }

    public record BidFilter(String project, String instanceType, String region, String status, String name) {
    }

    public record InstanceFilter(String project, String instanceType, String region, List<String> statusIn,
                                 List<String> orderTypeIn, List<String> bidFidIn, List<String> reservationFidIn) {
    }

    public record HistoryFilter(String project, String instanceFid, String bidFid, String reservationFid,
                                java.time.Instant startTime, java.time.Instant endTime) {
    }

    public record CreateVolume(String name, String project, String diskInterface, String region, long sizeGb) {
    }

    public record CreateSshKey(String project, String name, String publicKey, boolean required) {
    }
}
