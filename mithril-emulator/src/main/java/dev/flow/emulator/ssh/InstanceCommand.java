package dev.flow.emulator.ssh;

import dev.flow.emulator.workload.ContainerLog;
import dev.flow.emulator.workload.InstanceRuntime;
import dev.flow.emulator.workload.ProcessKill;
import dev.flow.emulator.workload.ProcessLimiter;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SSH exec request on an emulated instance. The docker commands the Flow SDK uses on container {@code main} are
 * answered from the instance runtime (there is no Docker here); everything else runs as {@code bash -c} in the
 * instance's directory with the task's environment, with {@code sudo} dropped and the instance's log paths mapped to
 * their local files.
 */
final class InstanceCommand implements Command {

    private static final Pattern SUDO = Pattern.compile("(^|[;&|(]\\s*)sudo\\s+(-n\\s+)?");
    private static final String STARTUP_LOG = "/var/log/foundry/startup_script.log";
    private static final long FOLLOW_POLL_MILLIS = 250;

    private final String commandLine;
    private final InstanceShell shell;
    private final ProcessLimiter limiter;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile boolean destroyed;
    private volatile Process process;

    InstanceCommand(String commandLine, InstanceShell shell, ProcessLimiter limiter) {
        this.commandLine = commandLine;
        this.shell = shell;
        this.limiter = limiter;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        Thread.ofVirtual().name("ssh-" + shell.instanceFid()).start(() -> {
            int code;
            try {
                code = run();
            } catch (IOException e) {
                code = 255;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                code = 130;
            }
            try {
                out.flush();
                err.flush();
            } catch (IOException e) {
                // the session is already gone
            }
            if (!destroyed) {
                exit.onExit(code);
            }
        });
    }

    @Override
    public void destroy(ChannelSession channel) {
        destroyed = true;
        ProcessKill.tree(process);
    }

    private int run() throws IOException, InterruptedException {
        String line = SUDO.matcher(commandLine.trim()).replaceAll("$1");
        Optional<List<ShellWords.Segment>> list = ShellWords.splitList(line);
        if (list.isPresent() && list.get().stream().anyMatch(seg -> isDocker(seg.text()))) {
            // a list with docker commands: run it here, one command at a time, with the shell's && / || rules
            int code = 0;
            for (ShellWords.Segment seg : list.get()) {
                if (("&&".equals(seg.operator()) && code != 0) || ("||".equals(seg.operator()) && code == 0)) {
                    continue;
                }
                code = runOne(seg.text());
            }
            return code;
        }
        return bash(mapPaths(line));
    }

    private static boolean isDocker(String command) {
        return command.equals("docker") || command.startsWith("docker ");
    }

    private int runOne(String command) throws IOException, InterruptedException {
        Optional<List<String>> words = ShellWords.split(command);
        if (isDocker(command) && words.isPresent()) {
            return docker(words.get());
        }
        return bash(mapPaths(command));
    }

    private String mapPaths(String line) {
        return line.replace(STARTUP_LOG, shell.runtime().startupLog().toString());
    }

    // ---------------------------------------------------------------- docker

    /** Where stdout/stderr of a built-in go after the redirections {@code 2>&1}, {@code >/dev/null}, {@code 2>/dev/null}. */
    private record Streams(OutputStream stdout, OutputStream stderr) {
    }

    private int docker(List<String> words) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        OutputStream stdout = out;
        OutputStream stderr = err;
        for (String word : words.subList(1, words.size())) {
            switch (word) {
                case "2>&1" -> stderr = stdout;
                case ">/dev/null", "1>/dev/null" -> stdout = OutputStream.nullOutputStream();
                case "2>/dev/null" -> stderr = OutputStream.nullOutputStream();
                default -> args.add(word);
            }
        }
        Streams streams = new Streams(stdout, stderr);
        if (args.isEmpty()) {
            return fail(streams, "Usage:  docker [OPTIONS] COMMAND");
        }
        String sub = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        return switch (sub) {
            case "logs" -> dockerLogs(rest, streams);
            case "wait" -> dockerWait(rest, streams);
            case "inspect" -> dockerInspect(rest, streams);
            case "ps" -> dockerPs(rest, streams);
            default -> fail(streams, "docker: '" + sub + "' is not supported by the Mithril emulator");
        };
    }

    private int dockerLogs(List<String> args, Streams streams) throws IOException, InterruptedException {
        Integer tail = null;
        Instant since = null;
        boolean follow = false;
        boolean timestamps = false;
        String container = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--tail") || a.equals("-n")) {
                if (i + 1 >= args.size()) {
                    return fail(streams, "flag needs an argument: " + a);
                }
                String v = args.get(++i);
                tail = v.equals("all") ? null : parseCount(v);
                if (tail != null && tail < 0) {
                    return fail(streams, "invalid value for --tail: " + v);
                }
            } else if (a.startsWith("--tail=")) {
                String v = a.substring("--tail=".length());
                tail = v.equals("all") ? null : parseCount(v);
                if (tail != null && tail < 0) {
                    return fail(streams, "invalid value for --tail: " + v);
                }
            } else if (a.equals("--since") || a.startsWith("--since=")) {
                String v = a.equals("--since") ? (i + 1 < args.size() ? args.get(++i) : "") : a.substring(8);
                since = since(v);
                if (since == null) {
                    return fail(streams, "invalid value for --since: " + v);
                }
            } else if (a.equals("--follow")) {
                follow = true;
            } else if (a.equals("--timestamps")) {
                timestamps = true;
            } else if (a.startsWith("-") && !a.startsWith("--") && a.length() > 1
                    && a.substring(1).chars().allMatch(c -> c == 'f' || c == 't')) {
                follow |= a.indexOf('f') > 0;
                timestamps |= a.indexOf('t') > 0;
            } else if (a.startsWith("-")) {
                return fail(streams, "unknown flag: " + a);
            } else {
                container = a;
            }
        }
        ContainerLog log = container(container, streams);
        if (log == null) {
            return 1;
        }
        int size = log.size();
        int start = tail == null ? 0 : Math.max(0, size - tail);
        List<ContainerLog.Line> backlog = log.from(start);
        int next = start + backlog.size();
        if (since != null) {
            Instant from = since;
            backlog = backlog.stream().filter(l -> !l.time().isBefore(from)).toList();
        }
        write(backlog, timestamps, streams);
        while (follow && !destroyed) {
            boolean running = shell.runtime().running();
            List<ContainerLog.Line> more = log.from(next);
            next += write(more, timestamps, streams);
            if (!running && more.isEmpty()) {
                break;
            }
            log.awaitMore(next, FOLLOW_POLL_MILLIS);
        }
        return 0;
    }

    private static final Pattern RELATIVE = Pattern.compile("^(\\d+)(ms|s|m|h)$");

    /** docker's --since: RFC 3339 time, Unix seconds (may be fractional), or a duration before now (10m, 1h). */
    private Instant since(String v) {
        try {
            return java.time.OffsetDateTime.parse(v).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            // not a timestamp; try the other forms
        }
        if (v.matches("^\\d+(\\.\\d{1,9})?$")) {
            java.math.BigDecimal seconds = new java.math.BigDecimal(v);
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(java.math.BigDecimal.ONE).movePointRight(9).longValue());
        }
        Matcher m = RELATIVE.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            java.time.Duration d = switch (m.group(2)) {
                case "ms" -> java.time.Duration.ofMillis(n);
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                default -> java.time.Duration.ofHours(n);
            };
            return shell.runtime().now().minus(d);
        }
        return null;
    }

    private static int parseCount(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private int write(List<ContainerLog.Line> lines, boolean timestamps, Streams streams) throws IOException {
        for (ContainerLog.Line line : lines) {
            OutputStream target = line.stderr() ? streams.stderr() : streams.stdout();
            String text = (timestamps ? DateTimeFormatter.ISO_INSTANT.format(line.time()) + " " : "") + line.text() + "\n";
            target.write(text.getBytes(StandardCharsets.UTF_8));
        }
        if (!lines.isEmpty()) {
            streams.stdout().flush();
            streams.stderr().flush();
        }
        return lines.size();
    }

    private ContainerLog container(String name, Streams streams) throws IOException {
        if (name == null) {
            fail(streams, "\"docker\" requires a container name");
            return null;
        }
        ContainerLog log = shell.runtime().containerLog();
        if (!name.equals("main") || log == null) {
            fail(streams, "Error response from daemon: No such container: " + name);
            return null;
        }
        return log;
    }

    private int dockerWait(List<String> args, Streams streams) throws IOException, InterruptedException {
        if (container(args.isEmpty() ? null : args.getLast(), streams) == null) {
            return 1;
        }
        int code = shell.runtime().awaitExit();
        streams.stdout().write((code + "\n").getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    private int dockerInspect(List<String> args, Streams streams) throws IOException {
        String format = null;
        String name = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-f") || a.equals("--format")) && i + 1 < args.size()) {
                format = args.get(++i);
            } else if (a.startsWith("--format=")) {
                format = a.substring("--format=".length());
            } else {
                name = a;
            }
        }
        if (container(name, streams) == null) {
            return 1;
        }
        InstanceRuntime rt = shell.runtime();
        boolean running = rt.running();
        int exitCode = rt.exitCode().orElse(0);
        String status = running ? "running" : "exited";
        String started = rt.startedAt().map(Object::toString).orElse("0001-01-01T00:00:00Z");
        String finished = rt.finishedAt().map(Object::toString).orElse("0001-01-01T00:00:00Z");
        String image = rt.image() == null ? "" : rt.image();
        String text;
        if (format == null) {
            text = "[{\"Name\":\"/main\",\"State\":{\"Status\":\"" + status + "\",\"Running\":" + running
                    + ",\"ExitCode\":" + exitCode + ",\"StartedAt\":\"" + started + "\",\"FinishedAt\":\"" + finished
                    + "\"},\"Config\":{\"Image\":\"" + image.replace("\"", "\\\"") + "\"}}]";
        } else {
            text = format.replace("{{.State.ExitCode}}", Integer.toString(exitCode))
                    .replace("{{.State.Running}}", Boolean.toString(running))
                    .replace("{{.State.Status}}", status)
                    .replace("{{.State.StartedAt}}", started)
                    .replace("{{.State.FinishedAt}}", finished)
                    .replace("{{.Config.Image}}", image)
                    .replace("{{.Name}}", "/main");
        }
        streams.stdout().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    private int dockerPs(List<String> args, Streams streams) throws IOException {
        boolean all = args.contains("-a") || args.contains("--all");
        String format = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--format") && i + 1 < args.size()) {
                format = args.get(i + 1);
            }
        }
        InstanceRuntime rt = shell.runtime();
        boolean listed = rt.containerExists() && (all || rt.running());
        StringBuilder text = new StringBuilder();
        if (format == null) {
            text.append("CONTAINER ID   IMAGE   STATUS   NAMES\n");
        }
        if (listed) {
            String status = rt.running() ? "Up" : "Exited (" + rt.exitCode().orElse(0) + ")";
            text.append(format == null
                    ? "000000000001   " + rt.image() + "   " + status + "   main"
                    : format.replace("{{.Names}}", "main").replace("{{.Image}}", String.valueOf(rt.image()))
                            .replace("{{.Status}}", status));
            text.append('\n');
        }
        streams.stdout().write(text.toString().getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    private static int fail(Streams streams, String message) throws IOException {
        streams.stderr().write((message + "\n").getBytes(StandardCharsets.UTF_8));
        return 1;
    }

    // ---------------------------------------------------------------- bash

    private int bash(String line) throws IOException, InterruptedException {
        if (!limiter.tryAcquire()) {
            err.write(("[flow-emulator] process limit of " + limiter.max() + " reached\n").getBytes(StandardCharsets.UTF_8));
            return 126;
        }
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", line)
                    .directory(shell.runtime().workspace().toFile());
            builder.environment().putAll(shell.runtime().shellEnv());
            Process started = builder.start();
            process = started;
            if (destroyed) {
                ProcessKill.tree(started);
            }
            Thread stdin = Thread.ofVirtual().start(() -> copy(in, started.getOutputStream(), true));
            Thread stdout = Thread.ofVirtual().start(() -> copy(started.getInputStream(), out, false));
            Thread stderr = Thread.ofVirtual().start(() -> copy(started.getErrorStream(), err, false));
            int code = started.waitFor();
            stdout.join();
            stderr.join();
            stdin.interrupt();
            return code;
        } finally {
            limiter.release();
        }
    }

    private static void copy(InputStream from, OutputStream to, boolean closeTarget) {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = from.read(buffer)) >= 0) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // either side closed: the process ended or the session went away
        } finally {
            if (closeTarget) {
                try {
                    to.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }
    }
}
