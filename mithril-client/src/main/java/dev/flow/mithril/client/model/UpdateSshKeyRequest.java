package dev.flow.mithril.client.model;

/** {@code UpdateSshKeyRequest} of {@code PATCH /v2/ssh-keys/{fid}} (admins only). */
public record UpdateSshKeyRequest(boolean required) {
}
