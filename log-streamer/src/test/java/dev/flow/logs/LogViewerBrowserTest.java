package dev.flow.logs;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.InjectKafkaCompanion;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import dev.flow.devstack.quarkus.MithrilEmulatorTestResource;
import dev.flow.logs.service.LogViews;
import dev.flow.model.event.LogLine;
import dev.flow.model.event.LogStream;
import dev.flow.model.status.TaskStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

import static dev.flow.logs.TestSupport.newTaskId;
import static dev.flow.logs.TestSupport.publish;
import static dev.flow.logs.TestSupport.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The viewer page ({@code /}) in headless Chromium (the Debian {@code chromium} and {@code chromium-driver}
 * packages, installed by {@code .ci/install-browser.sh}) against the running service, real Kafka and real
 * WebSockets: task list with live status, live lines, node filter, text filter with highlighting, follow off/on, and
 * reconnection after the server drops the socket, without gaps or duplicates. Without Chromium the test fails.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(JwtTestResource.class)
@WithTestResource(MithrilEmulatorTestResource.class)
@WithTestResource(PlatformKeyResource.class)
@Tag("browser") // needs Debian's chromium: ./mvnw verify -Pbrowser
class LogViewerBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String PROJECT = "flow-dev";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @InjectKafkaCompanion
    KafkaCompanion kafka;

    @Inject
    LogViews views;

    @Inject
    OpenConnections connections;

    @TestHTTPResource("/")
    URI base;

    private ChromeDriver browser;
    private Path profile;

    @BeforeEach
    void startBrowser() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("headless Chromium is required: " + CHROMIUM + " and " + CHROMEDRIVER
                    + " are missing; install them with .ci/install-browser.sh (apt-get install -y chromium chromium-driver)");
        }
        profile = Files.createTempDirectory("flow-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile);
        // the driver is named explicitly, so Selenium Manager has nothing to look up or download
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theViewerListsTasksTailsLiveFiltersAndResumesWithoutGaps() {
        String task = newTaskId();
        String pending = newTaskId();
        publish(kafka, status(task, PROJECT, null, TaskStatus.RUNNING, List.of()));
        publish(kafka, status(pending, PROJECT, null, TaskStatus.PENDING, List.of()));
        for (int seq = 0; seq < 5; seq++) {
            line(task, 0, seq, "alpha " + seq);
            line(task, 1, seq, seq == 2 ? "found the Needle here" : "beta " + seq);
        }

        String alice = DevJwt.shared().token("alice", List.of(PROJECT));
        browser.get(base + "#token=" + alice);
        // the page takes the token out of the address bar
        await().atMost(WAIT).until(() -> !browser.getCurrentUrl().contains("token="));

        // the task list, with live status
        await().atMost(WAIT).until(() -> statusOf(task).equals("running") && statusOf(pending).equals("pending"));
        publish(kafka, status(pending, PROJECT, TaskStatus.PENDING, TaskStatus.RUNNING, List.of()));
        await().atMost(WAIT).until(() -> statusOf(pending).equals("running"));

        // pick the task: its lines, then new ones live
        browser.findElement(By.cssSelector("#tasks tr[data-task='" + task + "']")).click();
        await().atMost(WAIT).until(() -> shown().size() == 10);
        line(task, 0, 5, "alpha live");
        await().atMost(WAIT).until(() -> shown().contains("0:5"));
        assertThat(browser.findElement(By.id("conn")).getAttribute("data-state")).isEqualTo("live");

        // node filter
        browser.findElement(By.cssSelector("#node option[value='1']")).click();
        await().atMost(WAIT).until(() -> visible().size() == 5);
        assertThat(visible()).allMatch(key -> key.startsWith("1:"));
        browser.findElement(By.cssSelector("#node option[value='all']")).click();
        await().atMost(WAIT).until(() -> visible().size() == 11);

        // text filter: only matching lines, the match highlighted (case-insensitive)
        browser.findElement(By.id("filter")).sendKeys("needle");
        await().atMost(WAIT).until(() -> visible().equals(List.of("1:2")));
        List<WebElement> marks = browser.findElements(By.cssSelector("#log .line:not(.hidden) mark"));
        assertThat(marks).extracting(WebElement::getText).containsExactly("Needle");
        script("const f = document.getElementById('filter'); f.value = '';"
                + " f.dispatchEvent(new Event('input'));");
        await().atMost(WAIT).until(() -> visible().size() == 11);

        // follow off: the socket is closed, nothing new arrives; back on, it resumes after the last token
        browser.findElement(By.id("follow")).click();
        await().atMost(WAIT).until(() -> "paused".equals(connState()) && views.openViews() == 0);
        line(task, 0, 6, "while paused");
        assertThat(shown()).doesNotContain("0:6"); // no socket is open, so it cannot have arrived
        browser.findElement(By.id("follow")).click();
        await().atMost(WAIT).until(() -> shown().contains("0:6"));

        // the server drops the socket (as a restart or a network loss would); lines published meanwhile arrive once
        await().atMost(WAIT).until(() -> "live".equals(connState()));
        Set<String> before = ids();
        for (WebConnection c : open()) {
            c.connection().close(new CloseReason(1001, "test drops the viewer")).await().atMost(WAIT);
        }
        for (int seq = 7; seq < 12; seq++) {
            line(task, 0, seq, "alpha " + seq);
        }
        await().atMost(WAIT).until(() -> shown().contains("0:11"));
        assertThat(ids()).isNotEmpty().doesNotContainAnyElementsOf(before); // a new socket, not the old one
        line(task, 1, 5, "beta after reconnect");
        await().atMost(WAIT).until(() -> shown().contains("1:5"));

        List<String> all = shown();
        List<String> expected = new java.util.ArrayList<>();
        IntStream.range(0, 12).forEach(seq -> expected.add("0:" + seq));
        IntStream.range(0, 6).forEach(seq -> expected.add("1:" + seq));
        // every line exactly once (no gap, no duplicate), in the order Kafka holds them
        assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
        List<Long> tokens = tokens();
        assertThat(tokens).isSorted().doesNotHaveDuplicates();
    }

    private record WebConnection(WebSocketConnection connection) {
    }

    private List<WebConnection> open() {
        return StreamSupport.stream(connections.spliterator(), false).map(WebConnection::new).toList();
    }

    private Set<String> ids() {
        return StreamSupport.stream(connections.spliterator(), false).map(WebSocketConnection::id)
                .collect(Collectors.toSet());
    }

    private void line(String task, int node, long seq, String text) {
        publish(kafka, new LogLine(task, node, seq, Instant.now(), LogStream.STDOUT, text));
    }

    private String statusOf(String task) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#tasks tr[data-task='" + task + "'] td.status"));
        return cells.isEmpty() ? "" : cells.getFirst().getText();
    }

    private String connState() {
        return browser.findElement(By.id("conn")).getAttribute("data-state");
    }

    /** "node:seq" of every line in the page, in page order. */
    @SuppressWarnings("unchecked")
    private List<String> shown() {
        return (List<String>) script("return [...document.querySelectorAll('#log .line')]"
                + ".map(l => l.dataset.node + ':' + l.dataset.seq);");
    }

    /** "node:seq" of the lines the filters leave visible. */
    @SuppressWarnings("unchecked")
    private List<String> visible() {
        return (List<String>) script("return [...document.querySelectorAll('#log .line:not(.hidden)')]"
                + ".map(l => l.dataset.node + ':' + l.dataset.seq);");
    }

    @SuppressWarnings("unchecked")
    private List<Long> tokens() {
        return ((List<String>) script("return [...document.querySelectorAll('#log .line')]"
                + ".map(l => l.dataset.token);")).stream().map(Long::parseLong).toList();
    }

    private Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }
}
