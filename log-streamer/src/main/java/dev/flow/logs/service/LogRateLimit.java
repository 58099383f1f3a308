package dev.flow.logs.service;

/**
 * One task's log budget: two token buckets, lines per second and bytes per second, each holding at most one second's
 * worth (so a burst up to one second of the rate passes, a sustained flood does not). Shared by all tails of the
 * task; a line that does not fit is dropped by the caller, which later says how many it dropped. Once over the
 * limit, lines are refused until a tenth of a second's budget has refilled, so a flood yields a few drop markers per
 * second rather than one every few lines. Thread-safe.
 */
final class LogRateLimit {

    private final double linesPerSecond;
    private final double bytesPerSecond;
    private double lines;
    private double bytes;
    private long lastRefill;
    /** Over the limit: lines are refused until a tenth of a second's budget is back (fewer, larger gaps). */
    private boolean limited;

    LogRateLimit(int linesPerSecond, long bytesPerSecond) {
        this.linesPerSecond = linesPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.lines = linesPerSecond;
        this.bytes = bytesPerSecond;
        this.lastRefill = System.nanoTime();
    }

    /** Takes one line of {@code size} bytes from the budget when it fits; false when the line must be dropped. */
    synchronized boolean tryTake(int size) {
        long now = System.nanoTime();
        double seconds = (now - lastRefill) / 1e9;
        lastRefill = now;
        lines = Math.min(linesPerSecond, lines + seconds * linesPerSecond);
        bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
        if (limited && (lines < linesPerSecond / 10 || bytes < bytesPerSecond / 10)) {
            return false;
        }
        limited = false;
        if (lines < 1 || bytes < size) {
            limited = true;
            return false;
        }
        lines -= 1;
        bytes -= size;
        return true;
    }
}
