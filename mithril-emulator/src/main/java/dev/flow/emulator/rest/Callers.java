package dev.flow.emulator.rest;

import dev.flow.emulator.api.ApiException;
import dev.flow.emulator.domain.Entities.ApiKey;
import dev.flow.emulator.service.EmulatorEngine;

/** Resolves the caller of a /v2 request (the auth filter already turned away unknown keys). */
final class Callers {

    private Callers() {
    }

    static ApiKey of(EmulatorEngine engine, String authorization) {
        return engine.authenticate(authorization).orElseThrow(() -> new ApiException(401, "Invalid credentials"));
    }
}
