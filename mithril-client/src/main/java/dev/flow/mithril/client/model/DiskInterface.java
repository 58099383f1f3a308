package dev.flow.mithril.client.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Volume interface: {@code Block} attaches to one instance, {@code File} shares attach to many. */
public enum DiskInterface {
    @JsonProperty("Block") BLOCK,
    @JsonProperty("File") FILE
}
