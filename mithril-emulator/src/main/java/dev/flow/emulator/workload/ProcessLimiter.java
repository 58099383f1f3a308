package dev.flow.emulator.workload;

import dev.flow.emulator.config.EmulatorConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Semaphore;

/** Caps the local processes the emulator runs (workloads and SSH commands) so a runaway test cannot fork-bomb the host. */
@ApplicationScoped
public class ProcessLimiter {

    private final Semaphore permits;
    private final int max;

    public ProcessLimiter(EmulatorConfig config) {
        this.max = config.workload().maxProcesses();
        this.permits = new Semaphore(max);
    }

    public boolean tryAcquire() {
        return permits.tryAcquire();
    }

    public void release() {
        permits.release();
    }

    public int max() {
        return max;
    }
}
