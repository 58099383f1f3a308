package dev.flow.mithril.client.model;

/** {@code UpdateVolumeRequest} of {@code PATCH /v2/volumes/{fid}}: rename. */
public record UpdateVolumeRequest(String name) {
}
