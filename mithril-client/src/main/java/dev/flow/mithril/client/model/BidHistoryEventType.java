package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code BidHistoryEventModel.event_type}. */
public enum BidHistoryEventType {
    @JsonProperty("Placed") PLACED,
    @JsonProperty("Paused") PAUSED,
    @JsonProperty("Resumed") RESUMED,
    @JsonProperty("Terminated") TERMINATED,
    @JsonProperty("Allocated") ALLOCATED,
    @JsonProperty("Preempted") PREEMPTED,
    @JsonProperty("Limit Price Changed") LIMIT_PRICE_CHANGED,
    @JsonProperty("Memory Adjusted") MEMORY_ADJUSTED,
    @JsonProperty("Volumes Attached") VOLUMES_ATTACHED,
    @JsonProperty("Volumes Removed") VOLUMES_REMOVED,
    @JsonEnumDefaultValue UNKNOWN
}
