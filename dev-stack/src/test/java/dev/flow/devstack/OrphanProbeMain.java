package dev.flow.devstack;

/**
 * Run by {@link NoOrphanServersIT} in a JVM of its own: starts both servers, prints where they are, and waits to be
 * killed.
 */
public final class OrphanProbeMain {

    private OrphanProbeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start();
        System.out.println("READY " + kafka.processHandle().pid() + " " + kafka.dataDirectory()
                + " " + postgres.serverPid() + " " + postgres.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
