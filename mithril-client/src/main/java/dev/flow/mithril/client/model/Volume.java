package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code VolumeModel} (its {@code interface} field is {@code diskInterface}: a Java keyword). {@code bids}/{@code reservations} are the orders it is attached to. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Volume(String fid, String name, String region, Instant createdAt, Instant deletedAt, long capacityGb,
                     String project, @JsonProperty("interface") DiskInterface diskInterface, List<String> bids, List<String> reservations,
                     Map<String, String> attachments) {

    public Volume {
        bids = bids == null ? List.of() : List.copyOf(bids);
        reservations = reservations == null ? List.of() : List.copyOf(reservations);
        attachments = attachments == null ? Map.of() : Map.copyOf(attachments);
    }

    public boolean attached() {
        return !bids.isEmpty() || !reservations.isEmpty() || !attachments.isEmpty();
    }
}
