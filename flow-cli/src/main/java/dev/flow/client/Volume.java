package dev.flow.client;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A persistent volume of the project (the seed's Volume). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Volume(String volumeId, String name, Integer sizeGb, String interfaceType, String region, String project,
                     Instant createdAt, Boolean attached, List<String> attachedBids, List<String> attachedTasks) {

    // "interface" is a Java keyword
    @com.fasterxml.jackson.annotation.JsonCreator
    static Volume json(@com.fasterxml.jackson.annotation.JsonProperty("volume_id") String volumeId,
                       @com.fasterxml.jackson.annotation.JsonProperty("name") String name,
                       @com.fasterxml.jackson.annotation.JsonProperty("size_gb") Integer sizeGb,
                       @com.fasterxml.jackson.annotation.JsonProperty("interface") String interfaceType,
                       @com.fasterxml.jackson.annotation.JsonProperty("region") String region,
                       @com.fasterxml.jackson.annotation.JsonProperty("project") String project,
                       @com.fasterxml.jackson.annotation.JsonProperty("created_at") Instant createdAt,
                       @com.fasterxml.jackson.annotation.JsonProperty("attached") Boolean attached,
                       @com.fasterxml.jackson.annotation.JsonProperty("attached_bids") List<String> attachedBids,
                       @com.fasterxml.jackson.annotation.JsonProperty("attached_tasks") List<String> attachedTasks) {
        return new Volume(volumeId, name, sizeGb, interfaceType, region, project, createdAt, attached,
                attachedBids == null ? List.of() : attachedBids, attachedTasks == null ? List.of() : attachedTasks);
    }

    @com.fasterxml.jackson.annotation.JsonProperty("interface")
    public String interfaceType() {
        return interfaceType;
    }
}
