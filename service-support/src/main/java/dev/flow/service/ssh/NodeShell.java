package dev.flow.service.ssh;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * One authenticated SSH session to a node. Every method blocks: call it from a virtual thread, never from an event
 * loop. Closing it ends every command still running on it (which is how a tail is stopped).
 */
public final class NodeShell implements AutoCloseable {

    /** What a finished command printed and returned. */
    public record Result(int exitCode, String out, String err) {
    }

    /** A running command whose output the caller reads line by line. */
    public interface Running extends AutoCloseable {
        InputStream stdout();

        InputStream stderr();

        /** Waits for the command to end; its exit code, or -1 when the channel closed without one. */
        int awaitExit(Duration timeout);

        @Override
        void close();
    }

    private final ClientSession session;
    private final Duration timeout;

    NodeShell(ClientSession session, Duration timeout) {
        this.session = session;
        this.timeout = timeout;
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    /** Runs a short command to its end. */
    public Result exec(String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(timeout);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            Integer exit = channel.getExitStatus();
            return new Result(exit == null ? -1 : exit, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Runs a command, writing its output to {@code out}/{@code err} as it arrives (SSHD's I/O threads call them, so
     * they must not block for long), until it ends or {@code limit} passes.
     *
     * @return its exit code, or -1 when the channel closed without one
     * @throws TimeoutException when it was still running after {@code limit} (the channel is then closed, which
     *                          ends the remote command's session)
     */
    public int run(String command, OutputStream out, OutputStream err, Duration limit)
            throws IOException, TimeoutException {
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(timeout);
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), limit);
            if (events.contains(ClientChannelEvent.TIMEOUT) && !events.contains(ClientChannelEvent.CLOSED)) {
                channel.close(true);
                throw new TimeoutException("still running after " + limit);
            }
            Integer exit = channel.getExitStatus();
            return exit == null ? -1 : exit;
        }
    }

    /** Starts a long command (a follow); its output streams end when it ends or the session drops. */
    public Running start(String command) throws IOException {
        ChannelExec channel = session.createExecChannel(command);
        channel.open().verify(timeout);
        return new Running() {
            @Override
            public InputStream stdout() {
                return channel.getInvertedOut();
            }

            @Override
            public InputStream stderr() {
                return channel.getInvertedErr();
            }

            @Override
            public int awaitExit(Duration wait) {
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), wait);
                Integer exit = channel.getExitStatus();
                return exit == null ? -1 : exit;
            }

            @Override
            public void close() {
                channel.close(true);
            }
        };
    }

    @Override
    public void close() {
        session.close(true);
    }
}
