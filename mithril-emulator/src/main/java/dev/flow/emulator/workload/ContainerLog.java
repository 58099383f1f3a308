package dev.flow.emulator.workload;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The log of container {@code main}: stdout and stderr lines with their timestamps, as docker's json-file driver
 * keeps them (so {@code docker logs --timestamps} can show them). Kept in memory for followers and written through to
 * a file in the instance directory. Output beyond the byte cap is dropped.
 */
public final class ContainerLog {

    public record Line(Instant time, boolean stderr, String text) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final long maxBytes;
    private final BufferedWriter file;
    private long bytes;
    private boolean truncated;
    private int generation;

    ContainerLog(Path path, long maxBytes) throws IOException {
        this.maxBytes = maxBytes;
        this.file = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    synchronized void append(Instant time, boolean stderr, String text) {
        long size = text.getBytes(StandardCharsets.UTF_8).length + 1L;
        if (bytes + size > maxBytes) {
            if (!truncated) {
                truncated = true;
                add(new Line(time, true, "[flow-emulator] output limit of " + maxBytes + " bytes reached; further output dropped"));
            }
            return;
        }
        bytes += size;
        add(new Line(time, stderr, text));
    }

    private void add(Line line) {
        lines.add(line);
        try {
            file.write(line.time() + " " + (line.stderr() ? "stderr" : "stdout") + " " + line.text());
            file.newLine();
            file.flush();
        } catch (IOException e) {
            // the in-memory copy is the one served; a full disk only loses the on-disk mirror
        }
        notifyAll();
    }

    public synchronized int size() {
        return lines.size();
    }

    public synchronized List<Line> from(int index) {
        return List.copyOf(lines.subList(Math.min(index, lines.size()), lines.size()));
    }

    /** Wakes followers without new lines (the container stopped). */
    synchronized void poke() {
        generation++;
        notifyAll();
    }

    /** Waits until there are more than {@code known} lines, something else changed, or the timeout passed. */
    public synchronized void awaitMore(int known, long timeoutMillis) throws InterruptedException {
        int seen = generation;
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (lines.size() <= known && generation == seen) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }

    synchronized void close() {
        try {
            file.close();
        } catch (IOException e) {
            // nothing left to flush
        }
        poke();
    }
}
