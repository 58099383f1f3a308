package dev.flow.emulator.service;

import dev.flow.emulator.config.EmulatorConfig;
import dev.flow.emulator.domain.EmulatorClock;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The one emulated clock everything reads (API timestamps, boot steps, auctions, billing, log lines). */
public class ClockProducer {

    @Produces
    @Singleton
    EmulatorClock clock(EmulatorConfig config) {
        return new EmulatorClock(Clock.systemUTC(), config.market().clockSpeed());
    }
}
