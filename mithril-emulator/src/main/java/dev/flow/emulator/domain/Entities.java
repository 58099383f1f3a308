package dev.flow.emulator.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The emulator's mutable state. Every field is guarded by the lock of {@code EmulatorEngine}; nothing here is
 * handed out to the REST layer, which only sees immutable DTO snapshots.
 */
public final class Entities {

    private Entities() {
    }

    public record Project(String fid, String name, Instant createdAt) {
    }

    public record User(String fid, String email, String name) {
    }

    /** An API key and what it may touch. */
    public record ApiKey(String secret, User user, List<Project> projects) {
    }

    public record BidEvent(Instant timestamp, String eventType, String limitPrice, String userId, Integer memoryGb,
                           String attached, String removed) {
    }

    public record StatusEvent(Instant timestamp, InstanceStatus status) {
    }

    /** A billed RUNNING interval at one price; {@code end == null} while open. */
    public static final class PriceInterval {
        public final long priceCents;
        public final Instant start;
        public Instant end;

        public PriceInterval(long priceCents, Instant start) {
            this.priceCents = priceCents;
            this.start = start;
        }
    }

    public static final class Bid {
        public String fid;
        public String name;
        public String project;
        public String createdBy;
        public Instant createdAt;
        public Instant deactivatedAt;
        public long limitCents;
        public int quantity;
        public Catalog.Offer offer;
        public List<String> sshKeys = new ArrayList<>();
        public List<String> volumes = new ArrayList<>();
        public String startupScript;
        public String kubernetesCluster;
        public String imageVersion;
        public Integer memoryGb;
        public BidStatus status = BidStatus.Open;
        /** Current allocation (kept after preemption until re-allocated, and after termination). */
        public List<String> instances = new ArrayList<>();
        public Instant preemptAt;
        /** The startup script runs on the first boot of the bid only. */
        public boolean firstBootDone;
        public final List<BidEvent> history = new ArrayList<>();
    }

    public static final class Instance {
        public String fid;
        public String name;
        public String project;
        public String createdBy;
        public Instant createdAt;
        public Catalog.Offer offer;
        public String bid;
        public int rank;
        public String privateIp;
        public InstanceStatus status = InstanceStatus.STATUS_NEW;
        /** When the current boot/stop step completes. */
        public Instant nextStepAt;
        public Instant endTime;
        public Integer sshPort;
        /** Whether this instance's boot runs the bid's startup script. */
        public boolean runsStartupScript;
        /** Whether this instance has booted once (a later RUNNING is a reboot after pause). */
        public boolean booted;
        public final List<StatusEvent> statusHistory = new ArrayList<>();
        public final List<PriceInterval> pricing = new ArrayList<>();
    }

    public static final class Volume {
        public String fid;
        public String name;
        public String region;
        public Instant createdAt;
        public Instant deletedAt;
        public int capacityGb;
        public String project;
        public String diskInterface;
        public final List<String> bids = new ArrayList<>();
        public final Map<String, String> attachments = new LinkedHashMap<>();
    }

    public static final class SshKey {
        public String fid;
        public String name;
        public String project;
        public String publicKey;
        public Instant createdAt;
        public boolean required;
    }

    /** Spot market of one offer. */
    public static final class Market {
        public final Catalog.Offer offer;
        public long floorCents;
        public Long pinnedCents;
        public long spotCents;
        public int capacity;

        public Market(Catalog.Offer offer, int capacity) {
            this.offer = offer;
            this.floorCents = offer.shape().baseCents();
            this.spotCents = floorCents;
            this.capacity = capacity;
        }

        public long reserveCents() {
            return pinnedCents != null ? pinnedCents : floorCents;
        }
    }
}
