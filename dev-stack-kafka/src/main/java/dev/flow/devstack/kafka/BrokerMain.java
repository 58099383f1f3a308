package dev.flow.devstack.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Entry point of the child JVM that runs one single-node KRaft broker.
 *
 * <p>Arguments: {@code <server.properties> <cluster-id> <data-dir> [static-quorum]}. It formats the storage (once: a
 * restarted broker keeps its data), starts {@code kafka.Kafka}
 * and watches its standard input: when the parent closes the pipe, or dies, however abruptly, the broker's data
 * directory is deleted and the JVM halts. That is what guarantees that no broker outlives the test JVM or the local
 * run that started it. A broker killed with SIGKILL (a fault test) leaves its data behind, to be started again.
 *
 * <p>{@code static-quorum}: the controllers are listed in {@code controller.quorum.voters} (a cluster of several
 * nodes); without it the node is a standalone controller of a dynamic quorum of one.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && !"static-quorum".equals(args[3]))) {
            System.err.println("usage: BrokerMain <server.properties> <cluster-id> <data-dir> [static-quorum]");
            System.exit(2);
        }
        String properties = args[0];
        String clusterId = args[1];
        Path dataDir = Path.of(args[2]);

        watchParent(dataDir);

        boolean staticQuorum = args.length == 4;
        String[] format = staticQuorum
                ? new String[] {"format", "--config", properties, "--cluster-id", clusterId, "--ignore-formatted"}
                : new String[] {"format", "--config", properties, "--cluster-id", clusterId, "--standalone",
                    "--ignore-formatted"};
        int formatted = kafka.tools.StorageTool.execute(format, new PrintStream(System.out, true));
        if (formatted != 0) {
            System.err.println("kafka storage format failed with exit code " + formatted);
            Runtime.getRuntime().halt(3);
        }
        kafka.Kafka.main(new String[] {properties});
    }

    /** Halts this JVM when stdin reaches end-of-file: the parent closed it on purpose, or went away. */
    private static void watchParent(Path dataDir) {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                byte[] buffer = new byte[256];
                while (in.read(buffer) >= 0) {
                    // the parent never writes; anything it sends is ignored
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as EOF: the parent is gone
            }
            deleteQuietly(dataDir);
            Runtime.getRuntime().halt(0);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: the directory lives under the system temp dir
        }
    }
}
