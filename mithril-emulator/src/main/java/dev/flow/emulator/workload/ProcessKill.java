package dev.flow.emulator.workload;

/** Kills a process tree: `bash -c` leaves its children behind when only the shell is killed. */
public final class ProcessKill {

    private ProcessKill() {
    }

    public static void tree(Process process) {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
