package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A JVM that started the embedded broker and database and is then killed with SIGKILL, so no shutdown hook runs,
 * leaves no server behind: both stop and the broker's data directory goes away.
 */
class NoOrphanServersIT {

    @Test
    void serversDieWithAKilledParent() throws Exception {
        Process parent = new ProcessBuilder(List.of(LocalProcesses.javaExecutable(),
                "-cp", System.getProperty("java.class.path"), OrphanProbeMain.class.getName()))
                .redirectErrorStream(true)
                .start();
        String ready = readReadyLine(parent);
        String[] parts = ready.split(" ");
        long kafkaPid = Long.parseLong(parts[1]);
        Path kafkaDir = Path.of(parts[2]);
        long postgresPid = Long.parseLong(parts[3]);
        int postgresPort = Integer.parseInt(parts[4]);
        assertThat(ProcessHandle.of(kafkaPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(ProcessHandle.of(postgresPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(accepts(postgresPort)).isTrue();

        parent.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
        parent.waitFor();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ProcessHandle.of(kafkaPid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
            assertThat(ProcessHandle.of(postgresPid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
            assertThat(Files.exists(kafkaDir)).isFalse();
            assertThat(accepts(postgresPort)).isFalse();
        });
    }

    private static String readReadyLine(Process parent) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                // keep draining so the child never blocks on a full pipe
                Thread.ofVirtual().start(() -> out.lines().forEach(ignored -> { }));
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the probe JVM ended before starting its servers:\n" + seen);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
