package dev.flow.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.flow.client.TaskView;
import picocli.CommandLine.Help.Ansi;

/**
 * The line that shows a waiting task: on a terminal one line redrawn in place ({@code \r}, erase line) with a
 * spinner, the status in colour and the elapsed time; elsewhere (a pipe, a log file, CI) one plain line per status
 * change, so nothing is full of carriage returns.
 */
final class LiveStatus implements AutoCloseable {

    private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    private final PrintWriter err;
    private final Ansi ansi;
    private final boolean live;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService ticker;
    /** Ctrl-C while pending: leave a clean line behind (the JVM then exits 130). */
    private final Thread clearOnExit = new Thread(this::clear, "flow-live-status-clear");
    private volatile TaskView last;
    private String lastPrinted;
    private int frame;

    LiveStatus(PrintWriter err, Ansi ansi, TaskView first) {
        this.err = err;
        this.ansi = ansi;
        this.live = ansi.enabled();
        this.last = first;
        if (live) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "flow-live-status");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, 0, 100, TimeUnit.MILLISECONDS);
            Runtime.getRuntime().addShutdownHook(clearOnExit);
        } else {
            ticker = null;
            update(first);
        }
    }

    /** A status read: redrawn on the next tick (terminal), or printed when it changed (elsewhere). */
    void update(TaskView view) {
        last = view;
        if (!live) {
            String text = view.taskId() + " " + view.status() + " (" + view.reason() + ")";
            synchronized (this) {
                if (!text.equals(lastPrinted)) {
                    lastPrinted = text;
                    err.println(text + " " + elapsed());
                    err.flush();
                }
            }
        }
    }

    String elapsed() {
        Duration d = Duration.ofNanos(System.nanoTime() - started);
        return String.format("%d.%ds", d.toSeconds(), d.toMillisPart() / 100);
    }

    private synchronized void draw() {
        TaskView v = last;
        String status = new Output(null, Output.Format.table, ansi).status(v.status());
        err.print("\r\u001b[2K" + ansi.string("@|cyan " + SPINNER[frame++ % SPINNER.length] + "|@") + " " + v.taskId()
                + " " + status + " (" + v.reason() + ")  " + ansi.string("@|faint " + elapsed() + "|@"));
        err.flush();
    }

    @Override
    public void close() {
        if (ticker != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(clearOnExit);
            } catch (IllegalStateException alreadyExiting) {
                // the hook is running or has run
            }
            clear();
        }
    }

    private synchronized void clear() {
        ticker.shutdownNow();
        err.print("\r\u001b[2K");
        err.flush();
    }
}
