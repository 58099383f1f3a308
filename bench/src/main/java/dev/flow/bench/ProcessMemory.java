package dev.flow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Resident memory of processes, read from {@code /proc} (Linux), as the benchmarks report it. */
final class ProcessMemory {

    private ProcessMemory() {
    }

    /** A process and all its descendants (e.g. the PostgreSQL postmaster and its backends). */
    static List<Long> treeOf(long pid) {
        return ProcessHandle.of(pid)
                .map(root -> Stream.concat(Stream.of(root), root.descendants()).map(ProcessHandle::pid).toList())
                .orElse(List.of(pid));
    }

    /** Sum of VmRSS over the processes in MiB; a process that is gone counts 0. */
    static double rssMiB(List<Long> pids) {
        long kib = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (NoSuchFileException gone) {
                // the process ended between listing and reading
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return kib / 1024.0;
    }

    static double rssMiB(long pid) {
        return rssMiB(List.of(pid));
    }

    /** The process's thread count ({@code Threads:} in its status); 0 when it is gone. */
    static int threads(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith("Threads:"))
                    .mapToInt(line -> Integer.parseInt(line.replaceAll("[^0-9]", ""))).findFirst().orElse(0);
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
