package dev.flow.mithril.client.it;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.MithrilClientConfig;
import dev.flow.mithril.client.RetryPolicy;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.CreateSshKeyRequest;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatus;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.mithril.client.model.LaunchSpecification;
import dev.flow.mithril.client.model.Project;
import dev.flow.model.money.Money;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/** A client on the shared emulator, plus the look-ups every scenario needs. */
final class ClientFixture implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    /** Fast backoff so fault scenarios finish quickly; Retry-After still honoured (capped at 5 s). */
    static final RetryPolicy FAST_RETRY =
            new RetryPolicy(4, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5));

    final EmulatorServer emulator;
    final MithrilClient client;
    final EmulatorAdmin admin;

    ClientFixture(EmulatorServer emulator) {
        this.emulator = emulator;
        this.client = MithrilClient.create(config(emulator, EmulatorServer.API_KEY));
        this.admin = new EmulatorAdmin(emulator);
    }

    static MithrilClientConfig config(EmulatorServer emulator, String key) {
        return MithrilClientConfig.of(emulator.baseUrl(), key)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
                .withRetry(FAST_RETRY);
    }

    static <T> T get(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    static <T> List<T> all(Multi<T> multi) {
        return multi.collect().asList().await().atMost(WAIT);
    }

    String projectFid(String name) {
        return get(client.projects()).stream().filter(p -> p.name().equals(name)).map(Project::fid).findFirst()
                .orElseThrow(() -> new AssertionError("emulator has no project " + name));
    }

    /** The spot market (auction row) of an instance type, by name, in a region. */
    Auction market(String typeName, String region) {
        Set<String> fids = get(client.instanceTypes()).stream().filter(t -> t.name().equals(typeName))
                .map(InstanceType::fid).collect(Collectors.toSet());
        return get(client.spotAvailability()).stream()
                .filter(a -> fids.contains(a.instanceType()) && a.region().equals(region)).findFirst()
                .orElseThrow(() -> new AssertionError("no market for " + typeName + " in " + region));
    }

    String sshKey(String project) {
        return get(client.createSshKey(CreateSshKeyRequest.generate(project, "key-" + shortId()))).fid();
    }

    static String uniqueName(String prefix) {
        return prefix + "-" + shortId();
    }

    static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    CreateBidRequest bid(String project, Auction market, Money limit, int quantity, String name, String sshKey,
                         List<String> volumes) {
        return new CreateBidRequest(project, market.region(), market.instanceType(), limit, quantity, name,
                LaunchSpecification.of(List.of(sshKey), volumes, "#!/bin/bash\necho started"));
    }

    Bid awaitBidStatus(String bidFid, BidStatus status) {
        return await("bid " + bidFid + " " + status).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> get(client.getBid(bidFid)), b -> b.status() == status);
    }

    List<Instance> instancesOf(String project, String bidFid) {
        return all(client.listInstances(InstanceQuery.inProject(project).withBidFidIn(List.of(bidFid))));
    }

    /** Waits until the bid has exactly {@code count} instances, all in {@code status}. */
    List<Instance> awaitInstances(String project, String bidFid, int count, InstanceStatus status) {
        return await("instances of " + bidFid + " " + status).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> instancesOf(project, bidFid).stream().filter(i -> i.status() == status).toList(),
                        l -> l.size() == count);
    }

    @Override
    public void close() {
        client.close();
    }
}
