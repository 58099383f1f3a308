package dev.flow.emulator;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@QuarkusTest
class SshAccessTest extends EmulatorTestBase {

    private static final String REGION = "us-central1-a";
    /** Prints a few lines, then waits for the test to create ./go, then exits 3. */
    private static final String WORKLOAD = "for i in 1 2 3 4 5; do echo line-$i; done; echo err-line >&2; "
            + "while [ ! -f go ]; do sleep 0.05; done; echo after-go; exit 3";

    private SshClient client;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void startClient() {
        client = SshClient.setUpDefaultClient();
        // the emulator's host key is generated per run; the test trusts loopback
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
    }

    @AfterEach
    void stopClient() {
        client.stop();
    }

    private static KeyPair keyPair(String privateKey) throws Exception {
        Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("test"),
                new ByteArrayInputStream(privateKey.getBytes(StandardCharsets.UTF_8)), null);
        return pairs.iterator().next();
    }

    private ClientSession session(Map<String, Object> instance, KeyPair key) throws Exception {
        String[] destination = ((String) instance.get("ssh_destination")).split(":");
        ClientSession session = client.connect("ubuntu", destination[0], Integer.parseInt(destination[1]))
                .verify(Duration.ofSeconds(10)).getSession();
        session.addPublicKeyIdentity(key);
        session.auth().verify(Duration.ofSeconds(10));
        return session;
    }

    private static Result exec(ClientSession session, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(Duration.ofSeconds(10));
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(20));
            Integer exit = channel.getExitStatus();
            return new Result(exit == null ? -1 : exit, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    private record Started(Map<String, Object> instance, KeyPair key) {
    }

    private Started start(String name, String startupScript) throws Exception {
        KeyPairText key = newSshKey(name + "-key");
        String bid = createBid(bidBody(name, typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 1,
                List.of(key.fid()), List.of(), startupScript));
        return new Started(awaitInstances(bid, 1, "STATUS_RUNNING").getFirst(), keyPair(key.privateKey()));
    }

    @Test
    void dockerLogsTailTimestampsAndStderr() throws Exception {
        Started s = start("logs", script(WORKLOAD, 1, Map.of()));
        try (ClientSession session = session(s.instance(), s.key())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> exec(session, "docker logs main --tail all").err()
                    .contains("err-line"));
            Result all = exec(session, "docker logs main --tail all");
            assertThat(all.exit()).isZero();
            assertThat(all.out()).isEqualTo("line-1\nline-2\nline-3\nline-4\nline-5\n");
            assertThat(all.err()).isEqualTo("err-line\n");

            // --tail counts entries of both streams together, as docker does (their interleaving is not fixed)
            Result tail = exec(session, "docker logs main --tail 3");
            List<String> tailed = new java.util.ArrayList<>(tail.out().lines().toList());
            tailed.addAll(tail.err().lines().toList());
            assertThat(tailed).hasSize(3).isSubsetOf("line-3", "line-4", "line-5", "err-line").contains("line-5");

            Result stamped = exec(session, "docker logs --timestamps --tail=2 main");
            List<String> stampedLines = new java.util.ArrayList<>(stamped.out().lines().toList());
            stampedLines.addAll(stamped.err().lines().toList());
            assertThat(stampedLines).hasSize(2).allMatch(
                    l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z (line-[45]|err-line)"));

            // --since filters by time (RFC 3339, Unix seconds, or a duration before now), as docker does
            assertThat(exec(session, "docker logs --since 2000-01-01T00:00:00Z main").out().lines()).hasSize(5);
            assertThat(exec(session, "docker logs --since 1h main").out().lines()).hasSize(5);
            assertThat(exec(session, "docker logs main --since=4102444800").out()).isEmpty();

            // the SDK's stderr-only form
            Result stderrOnly = exec(session, "docker logs main --tail 100 2>&1 >/dev/null");
            assertThat(stderrOnly.out()).isEqualTo("err-line\n");
        }
    }

    @Test
    void followSeesNewLinesAndEndsWithTheContainerWhoseExitCodeIsReported() throws Exception {
        Started s = start("follow", script(WORKLOAD, 1, Map.of()));
        try (ClientSession session = session(s.instance(), s.key())) {
            ByteArrayOutputStream followed = new ByteArrayOutputStream();
            try (ChannelExec follow = session.createExecChannel("docker logs -f -t main --tail 3")) {
                follow.setOut(followed);
                follow.setErr(new ByteArrayOutputStream());
                follow.open().verify(Duration.ofSeconds(10));
                await().atMost(Duration.ofSeconds(10)).until(() -> followed.toString(StandardCharsets.UTF_8)
                        .contains("line-5"));
                assertThat(followed.toString(StandardCharsets.UTF_8)).doesNotContain("after-go");

                assertThat(exec(session, "docker inspect -f '{{.State.Running}}' main").out()).isEqualTo("true\n");
                assertThat(exec(session, "touch go").exit()).isZero();

                await().atMost(Duration.ofSeconds(10)).until(() -> followed.toString(StandardCharsets.UTF_8)
                        .contains("after-go"));
                follow.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10));
                assertThat(follow.getExitStatus()).isZero();
            }
            assertThat(exec(session, "docker wait main").out()).isEqualTo("3\n");
            assertThat(exec(session, "docker inspect -f '{{.State.ExitCode}}' main").out()).isEqualTo("3\n");
            assertThat(exec(session, "docker inspect --format '{{.State.Running}}' main").out()).isEqualTo("false\n");
            // inside pipes and substitutions bash runs docker: the shim on the instance's PATH reads the same state
            assertThat(exec(session, "echo \"exit=$(docker inspect -f '{{.State.ExitCode}}' main)\"").out())
                    .isEqualTo("exit=3\n");
            assertThat(exec(session, "docker logs main --tail all 2>/dev/null | grep -c line-").out()).isEqualTo("5\n");
            assertThat(exec(session, "docker logs -t main 2>&1 >/dev/null | cut -d' ' -f2").out()).isEqualTo("err-line\n");
            assertThat(exec(session, "docker wait main | cat").out()).isEqualTo("3\n");
            assertThat(exec(session, "sudo tail -n 50 /var/log/foundry/startup_script.log").out())
                    .contains("Running startup script");
        }
    }

    @Test
    void arbitraryCommandsRunInTheInstanceWithTheTaskEnvironment() throws Exception {
        KeyPairText key = newSshKey("multi-key");
        String bid = createBid(bidBody("multi", typeFid("a100-80gb.sxm.1x", REGION), REGION, "$2.00", 2,
                List.of(key.fid()), List.of(), script("sleep 600", 2, Map.of("MY_VAR", "hello"))));
        List<Map<String, Object>> instances = awaitInstances(bid, 2, "STATUS_RUNNING");
        KeyPair pair = keyPair(key.privateKey());
        for (Map<String, Object> instance : instances) {
            try (ClientSession session = session(instance, pair)) {
                Result r = exec(session, "echo $FLOW_NODE_RANK/$FLOW_NUM_NODES/$FLOW_MAIN_IP/$MY_VAR; echo oops >&2; exit 7");
                String rank = ((String) instance.get("name")).substring("multi-".length());
                assertThat(r.out()).isEqualTo(rank + "/2/127.0.0.1/hello\n");
                assertThat(r.err()).isEqualTo("oops\n");
                assertThat(r.exit()).isEqualTo(7);
            }
        }
    }

    @Test
    void wrongKeyIsRefusedAndTerminationClosesSessions() throws Exception {
        Started s = start("guarded", script("sleep 600", 1, Map.of()));
        KeyPair stranger = KeyUtils.generateKeyPair("ssh-rsa", 2048);
        assertThatThrownBy(() -> session(s.instance(), stranger)).isInstanceOf(Exception.class);

        try (ClientSession session = session(s.instance(), s.key())) {
            ChannelExec follow = session.createExecChannel("docker logs --follow main");
            follow.setOut(new ByteArrayOutputStream());
            follow.setErr(new ByteArrayOutputStream());
            follow.open().verify(Duration.ofSeconds(10));
            api().delete("/v2/spot/bids/" + s.instance().get("bid")).then().statusCode(204);
            assertThat(follow.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(10)))
                    .contains(ClientChannelEvent.CLOSED);
        }
        Map<String, Object> info = admin().get("/_emulator/instances/" + s.instance().get("fid")).then().statusCode(200)
                .extract().jsonPath().getMap("$");
        assertThat(info).containsEntry("container_running", false).containsEntry("exit_code", 137);
    }

    @Test
    void instanceWithoutWorkloadIdles() throws Exception {
        Started s = start("idle", "#!/bin/bash\necho hi\n");
        try (ClientSession session = session(s.instance(), s.key())) {
            Result logs = exec(session, "docker logs main --tail 10");
            assertThat(logs.exit()).isEqualTo(1);
            assertThat(logs.err()).contains("No such container: main");
            assertThat(exec(session, "tail -n 5 /var/log/foundry/startup_script.log").out())
                    .contains("no Flow workload block");
            // the SDK's fallback from the container log to the startup-script log
            Result fallback = exec(session,
                    "docker logs main --tail 5 2>/dev/null || sudo tail -n 5 /var/log/foundry/startup_script.log");
            assertThat(fallback.exit()).isZero();
            assertThat(fallback.out()).contains("no Flow workload block");
        }
    }

    @Test
    void startupScriptRunsOnFirstBootOnlyWhileResumeRestartsTheContainer() throws Exception {
        KeyPairText key = newSshKey("boot-key");
        String type = typeFid("a100-80gb.sxm.1x", REGION);
        String bid = createBid(bidBody("boots", type, REGION, "$2.00", 1, List.of(key.fid()), List.of(),
                script("echo started-$FLOW_NODE_RANK; sleep 600", 1, Map.of())));
        KeyPair pair = keyPair(key.privateKey());
        Map<String, Object> first = awaitInstances(bid, 1, "STATUS_RUNNING").getFirst();

        // pause + resume: same instance, docker's restart policy starts main again
        api().body(Map.of("paused", true)).patch("/v2/spot/bids/" + bid).then().statusCode(200);
        api().body(Map.of("paused", false)).patch("/v2/spot/bids/" + bid).then().statusCode(200);
        Map<String, Object> resumed = awaitInstances(bid, 1, "STATUS_RUNNING").getFirst();
        assertThat(resumed.get("fid")).isEqualTo(first.get("fid"));
        try (ClientSession session = session(resumed, pair)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> exec(session, "docker logs main").out()
                    .equals("started-0\nstarted-0\n"));
            assertThat(exec(session, "docker inspect -f '{{.State.Running}}' main").out()).isEqualTo("true\n");
        }

        // preemption: the replacement instance does not run the startup script again
        admin().post("/_emulator/bids/" + bid + "/preempt").then().statusCode(204);
        passPreemptionNotice();
        Map<String, Object> replacement = await().atMost(Duration.ofSeconds(20)).until(() -> instancesOf(bid),
                l -> l.stream().anyMatch(i -> "STATUS_RUNNING".equals(i.get("status"))
                        && !i.get("fid").equals(first.get("fid")))).stream()
                .filter(i -> "STATUS_RUNNING".equals(i.get("status"))).findFirst().orElseThrow();
        try (ClientSession session = session(replacement, pair)) {
            Result logs = exec(session, "docker logs main");
            assertThat(logs.exit()).isEqualTo(1);
            assertThat(exec(session, "cat /var/log/foundry/startup_script.log").out())
                    .contains("startup script already ran").doesNotContain("Running startup script");
        }
    }
}
