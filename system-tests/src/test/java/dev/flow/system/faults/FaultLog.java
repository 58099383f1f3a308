package dev.flow.system.faults;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The faults the suite injected, each as a window (from the fault to the moment the part was back: restarted and
 * ready), and the time the platform took to recover from it when the suite measured one.
 */
final class FaultLog {

    /** One injected fault. {@code recovered}: when the platform was whole again (null: not measured). */
    record Window(String fault, Instant start, Instant end, Duration recovery, String note) {
    }

    private final List<Window> windows = Collections.synchronizedList(new ArrayList<>());

    void add(String fault, Instant start, Instant end, Duration recovery, String note) {
        windows.add(new Window(fault, start, end, recovery, note));
        System.out.printf("[faults] %-40s %s .. %s (%d ms)%s%n", fault, start, end,
                Duration.between(start, end).toMillis(), recovery == null ? "" : ", recovered in "
                        + recovery.toMillis() + " ms" + (note == null ? "" : " (" + note + ")"));
    }

    List<Window> windows() {
        return List.copyOf(windows);
    }

    /**
     * The end of the latest fault window that covers {@code instant} (windows that overlap it or follow it
     * without a gap count as one), or the instant itself when no fault was on.
     */
    Instant endOfWindowAround(Instant instant) {
        Instant end = instant;
        boolean extended = true;
        while (extended) {
            extended = false;
            for (Window window : windows()) {
                if (!window.start().isAfter(end) && window.end().isAfter(end)) {
                    end = window.end();
                    extended = true;
                }
            }
        }
        return end;
    }
}
