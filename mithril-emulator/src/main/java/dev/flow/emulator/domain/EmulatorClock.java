package dev.flow.emulator.domain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Emulated time: runs {@code speed} times faster than the wall clock and can jump forward, so tests and benchmarks
 * can live through hours of auctions, preemption notices and billing in seconds.
 */
public final class EmulatorClock extends Clock {

    private final Clock real;
    private Instant realBase;
    private Instant emulatedBase;
    private double speed;

    public EmulatorClock(Clock real, double speed) {
        this.real = real;
        this.realBase = real.instant();
        this.emulatedBase = realBase;
        this.speed = speed;
    }

    @Override
    public synchronized Instant instant() {
        Duration elapsed = Duration.between(realBase, real.instant());
        long nanos = (long) (elapsed.toNanos() * speed);
        return emulatedBase.plusNanos(nanos);
    }

    public synchronized void setSpeed(double newSpeed) {
        if (!(newSpeed > 0) || newSpeed > 1_000_000) {
            throw new IllegalArgumentException("clock speed must be in (0, 1e6]");
        }
        rebase();
        speed = newSpeed;
    }

    public synchronized double speed() {
        return speed;
    }

    public synchronized void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward");
        }
        rebase();
        emulatedBase = emulatedBase.plus(by);
    }

    /** Real time that passes while {@code emulated} passes on this clock. */
    public synchronized Duration toReal(Duration emulated) {
        return Duration.ofNanos((long) (emulated.toNanos() / speed));
    }

    private void rebase() {
        Instant now = instant();
        realBase = real.instant();
        emulatedBase = now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the emulator clock is UTC only");
    }
}
