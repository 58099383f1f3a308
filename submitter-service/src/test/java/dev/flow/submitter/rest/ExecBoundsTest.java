package dev.flow.submitter.rest;

import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.devstack.quarkus.PostgresTestResource;
import dev.flow.model.event.InstanceInfo;
import dev.flow.submitter.PlatformKeyTestResource;
import dev.flow.submitter.RunningTasks;
import dev.flow.submitter.SubmitterTestSupport;
import dev.flow.submitter.config.ExecConfig;
import dev.flow.submitter.service.ExecSessions;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.flow.submitter.SubmitterTestSupport.asAlice;
import static dev.flow.submitter.SubmitterTestSupport.token;
import static dev.flow.submitter.SubmitterTestSupport.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * The bounds of {@code exec} on tasks that really run on the emulator, over real SSH: a slow streaming reader does
 * not grow the submitter's heap, the number of sessions is capped (429), and a node whose SSH host key changed after
 * the first connect is refused.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = JwtTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = MithrilEmulatorTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(value = PlatformKeyTestResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ExecBoundsTest {

    private static final long MB = 1024 * 1024;
    private static final List<String> STARTED = new ArrayList<>();
    private static String sharedTask;

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    ExecSessions sessions;

    @Inject
    ExecConfig config;

    @TestHTTPResource("/")
    URL base;

    private synchronized String task() {
        if (sharedTask == null) {
            sharedTask = RunningTasks.submitAndRun(kafka, """
                    {"name": "%s", "instance_type": "a100", "command": "sleep 600"}""".formatted(uniqueName("bounds")));
            STARTED.add(sharedTask);
        }
        return sharedTask;
    }

    @AfterAll
    static void cancelTasks() {
        STARTED.forEach(RunningTasks::cancelBid);
    }

    @Test
    void aSlowStreamingReaderLeavesTheSubmittersHeapBounded() throws Exception {
        String taskId = task();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        // ~1 GB as fast as the node can print it; the client reads a trickle
        String body = "{\"command\": \"yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c 1000000000\", \"timeout_seconds\": 300}";
        long read = 0;
        long peak = 0;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024); // a slow client's small window, not the OS's autotuned one
            socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()));
            send(socket.getOutputStream(), taskId, body, "text/event-stream");
            InputStream in = socket.getInputStream();
            byte[] piece = new byte[1024];
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < 16; i++) {
                    int n = in.read(piece);
                    assertThat(n).as("the stream is still open").isPositive();
                    read += n;
                }
                Thread.sleep(500); // the reader's slowness: the node meanwhile prints as fast as it may
                peak = Math.max(peak, usedAfterGc(memory) - before);
            }
            assertThat(new String(piece, StandardCharsets.UTF_8)).contains("x");
        }
        // the figure, for the README and reviews (the assertion below is the test)
        System.out.printf("slow exec reader: read %d bytes, peak heap growth %d KiB%n", read, peak / 1024);
        // unbounded buffering would hold hundreds of MB here (the node prints GBs in these seconds over loopback);
        // demand-driven reads hold a piece per stream plus the SSH window
        assertThat(peak).as("heap growth while the client read only %d bytes", read).isLessThan(96 * MB);
        // the client went away: its session slot is free again
        await().atMost(Duration.ofSeconds(30)).until(() -> sessions.open() == 0);
    }

    @Test
    void oneSessionOverTheProjectsCapIsA429WithRetryAfter() throws Exception {
        String taskId = task();
        await().atMost(Duration.ofSeconds(30)).until(() -> sessions.open() == 0);
        int cap = config.exec().maxSessionsPerProject(); // 3 in the test profile
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < cap; i++) {
                Socket socket = new Socket(base.getHost(), base.getPort());
                open.add(socket);
                send(socket.getOutputStream(), taskId, "{\"command\": \"sleep 120\", \"timeout_seconds\": 150}",
                        "text/event-stream");
                // the head arrives once the session slot is held
                assertThat(readHead(socket.getInputStream())).startsWith("HTTP/1.1 200");
            }
            assertThat(sessions.open()).isEqualTo(cap);
            Response refused = asAlice().contentType("application/json").accept("application/json")
                    .body("{\"command\": \"true\"}").post("/v1/tasks/" + taskId + "/exec");
            refused.then().statusCode(429)
                    .contentType(startsWith("application/problem+json"))
                    .header("Retry-After", equalTo("5"))
                    .body("status", equalTo(429))
                    .body("detail", allOf(containsString("too many exec sessions"), containsString("flow-dev")))
                    .body("suggestions", hasItem(containsString("retry after 5 s")));
            // streamed requests are refused the same way, before any stream opens
            asAlice().contentType("application/json").accept("application/x-ndjson")
                    .body("{\"command\": \"true\"}").post("/v1/tasks/" + taskId + "/exec")
                    .then().statusCode(429).contentType(startsWith("application/problem+json"));
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
        // closing the streams frees their slots: the next exec runs
        await().atMost(Duration.ofSeconds(30)).until(() -> sessions.open() == 0);
        asAlice().contentType("application/json").accept("application/json").body("{\"command\": \"echo ok\"}")
                .post("/v1/tasks/" + taskId + "/exec").then().statusCode(200).body("stdout", equalTo("ok\n"));
    }

    @Test
    void aNodeWhoseHostKeyChangedAfterTheFirstConnectIsRefused() {
        String taskId = SubmitterTestSupport.submit("""
                {"name": "%s", "instance_type": "a100", "command": "sleep 600"}""".formatted(uniqueName("hostkey")))
                .then().statusCode(201).extract().path("task_id");
        STARTED.add(taskId);
        List<InstanceInfo> nodes = RunningTasks.markRunning(kafka, taskId);
        // the first connect pins the node's key; later ones with the same key run
        exec(taskId, "echo first").then().statusCode(200).body("stdout", equalTo("first\n"));
        exec(taskId, "echo second").then().statusCode(200).body("stdout", equalTo("second\n"));

        String fingerprint = MithrilEmulatorTestResource.shared().admin("POST",
                "/_emulator/instances/" + nodes.getFirst().fid() + "/rotate-host-key", null);
        assertThat(fingerprint).contains("SHA256:");

        for (int attempt = 0; attempt < 2; attempt++) { // refused every time, not just once
            exec(taskId, "echo never").then().statusCode(502)
                    .contentType(startsWith("application/problem+json"))
                    .body("detail", allOf(containsString("host key"), containsString("changed"),
                            containsString("no command was run")))
                    .body("detail", containsString(fingerprint.replaceAll(".*(SHA256:[^\"]+).*", "$1")));
        }
    }

    private static Response exec(String taskId, String command) {
        return asAlice().contentType("application/json").accept("application/json")
                .body("{\"command\": \"" + command + "\"}").post("/v1/tasks/" + taskId + "/exec");
    }

    private static void send(OutputStream out, String taskId, String body, String accept) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/tasks/" + taskId + "/exec HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + token() + "\r\nContent-Type: application/json\r\nAccept: " + accept
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
