package dev.flow.emulator.service;

import dev.flow.emulator.api.ApiException;
import dev.flow.emulator.api.Models.AuctionModel;
import dev.flow.emulator.api.Models.BidHistoryEventModel;
import dev.flow.emulator.api.Models.BidHistoryResponse;
import dev.flow.emulator.api.Models.BidModel;
import dev.flow.emulator.api.Models.BidStatusResponse;
import dev.flow.emulator.api.Models.CreatedSshKeyModel;
import dev.flow.emulator.api.Models.CurrentPricesResponse;
import dev.flow.emulator.api.Models.DataPage;
import dev.flow.emulator.api.Models.InstanceModel;
import dev.flow.emulator.api.Models.InstancePricingEvent;
import dev.flow.emulator.api.Models.InstancePricingHistory;
import dev.flow.emulator.api.Models.InstancePricingHistoryResponse;
import dev.flow.emulator.api.Models.InstanceStatusEvent;
import dev.flow.emulator.api.Models.InstanceStatusHistory;
import dev.flow.emulator.api.Models.InstanceStatusHistoryResponse;
import dev.flow.emulator.api.Models.InstanceStatusResponse;
import dev.flow.emulator.api.Models.InstanceTypeModel;
import dev.flow.emulator.api.Models.LaunchSpecificationModel;
import dev.flow.emulator.api.Models.MeResponse;
import dev.flow.emulator.api.Models.NewSshKeyModel;
import dev.flow.emulator.api.Models.PersistentDiskChange;
import dev.flow.emulator.api.Models.ProjectModel;
import dev.flow.emulator.api.Models.QuotaModel;
import dev.flow.emulator.api.Models.VolumeModel;
import dev.flow.emulator.api.Paging;
import dev.flow.emulator.api.ValidationFailure;
import dev.flow.emulator.config.EmulatorConfig;
import dev.flow.emulator.domain.BidStatus;
import dev.flow.emulator.domain.Catalog;
import dev.flow.emulator.domain.EmulatorClock;
import dev.flow.emulator.domain.Entities.ApiKey;
import dev.flow.emulator.domain.Entities.Bid;
import dev.flow.emulator.domain.Entities.BidEvent;
import dev.flow.emulator.domain.Entities.Instance;
import dev.flow.emulator.domain.Entities.Market;
import dev.flow.emulator.domain.Entities.PriceInterval;
import dev.flow.emulator.domain.Entities.Project;
import dev.flow.emulator.domain.Entities.SshKey;
import dev.flow.emulator.domain.Entities.StatusEvent;
import dev.flow.emulator.domain.Entities.User;
import dev.flow.emulator.domain.Entities.Volume;
import dev.flow.emulator.domain.Fids;
import dev.flow.emulator.domain.InstanceStatus;
import dev.flow.emulator.domain.Money;
import dev.flow.emulator.ssh.SshGateway;
import dev.flow.emulator.workload.InstanceRuntime;
import dev.flow.emulator.workload.WorkloadManager;
import dev.flow.model.startup.WorkloadBlock;
import dev.flow.model.startup.WorkloadBlockException;
import dev.flow.model.startup.WorkloadSpec;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The emulated Mithril control plane: projects, catalog, spot markets with a second-price auction, bids, instances
 * with their boot sequence, preemption, pause/resume, billing, volumes and SSH keys. All state is guarded by this
 * object's monitor; a ticker thread advances it on the emulated clock.
 */
@ApplicationScoped
public class EmulatorEngine {

    private static final Logger LOG = Logger.getLogger(EmulatorEngine.class);
    private static final Duration TICK = Duration.ofMillis(20);

    private final EmulatorConfig config;
    private final EmulatorClock clock;
    private final WorkloadManager workloads;
    private final SshGateway ssh;

    // guarded by this
    private Fids fids;
    private Catalog catalog;
    private Random random;
    private final Map<String, ApiKey> keys = new LinkedHashMap<>();
    private final Map<String, Project> projects = new LinkedHashMap<>();
    private final Map<String, Market> markets = new LinkedHashMap<>();
    private final Map<String, Bid> bids = new LinkedHashMap<>();
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, Volume> volumes = new LinkedHashMap<>();
    private final Map<String, SshKey> sshKeys = new LinkedHashMap<>();
    private Duration auctionInterval;
    private Duration stepDelay;
    private Duration preemptionNotice;
    private int volatilityBps;
    private Instant nextAuctionAt;
    private final java.util.Set<String> forcedPreemptions = new java.util.HashSet<>();
    private static final int DEFAULT_SPOT_QUOTA = 1_000_000;
    /** Spot quotas set through the admin API: project fid + "|" + instance type name → instances; default: capacity. */
    private final Map<String, Integer> spotQuotas = new LinkedHashMap<>();

    private ScheduledExecutorService ticker;

    public EmulatorEngine(EmulatorConfig config, EmulatorClock clock, WorkloadManager workloads, SshGateway ssh) {
        this.config = config;
        this.clock = clock;
        this.workloads = workloads;
        this.ssh = ssh;
        build();
    }

    void onStart(@Observes StartupEvent event) {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("emulator-ticker").unstarted(r));
        ticker.scheduleWithFixedDelay(this::safeTick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    private synchronized void build() {
        fids = new Fids(config.seed());
        random = new Random(config.seed());
        catalog = new Catalog(fids);
        auctionInterval = config.market().auctionInterval();
        stepDelay = config.instances().stepDelay();
        preemptionNotice = config.instances().preemptionNotice();
        volatilityBps = config.market().volatilityBps();
        Instant created = Instant.parse("2025-01-01T00:00:00Z");
        addKey(config.auth().devKey(), config.auth().devProjects(), created);
        config.auth().extraKeys().forEach((secret, names) -> addKey(secret, names, created));
        for (Catalog.Offer offer : catalog.offers()) {
            markets.put(offer.instanceTypeFid(), new Market(offer, config.market().capacityPerRegion()));
        }
        nextAuctionAt = clock.instant();
    }

    private void addKey(String secret, List<String> projectNames, Instant created) {
        User user = new User(fids.stable("user_", secret), "dev+" + Integer.toHexString(secret.hashCode()) + "@flow.local",
                "flow-dev");
        List<Project> owned = new ArrayList<>();
        for (String name : projectNames) {
            Project project = projects.computeIfAbsent(fids.stable("proj_", name), fid -> new Project(fid, name, created));
            owned.add(project);
        }
        keys.put(secret, new ApiKey(secret, user, List.copyOf(owned)));
    }

    // ================================================================ auth

    public synchronized Optional<ApiKey> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.ofNullable(keys.get(authorization.substring(7).trim()));
    }

    public synchronized String devKey() {
        return config.auth().devKey();
    }

    public synchronized Project devProject() {
        return keys.get(config.auth().devKey()).projects().getFirst();
    }

    private Project project(ApiKey key, String projectFid) {
        return key.projects().stream().filter(p -> p.fid().equals(projectFid)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Project"));
    }

    private boolean visible(ApiKey key, String projectFid) {
        return key.projects().stream().anyMatch(p -> p.fid().equals(projectFid));
    }

    // ================================================================ catalog

    public synchronized List<ProjectModel> projects(ApiKey key) {
        return key.projects().stream().map(p -> new ProjectModel(p.fid(), p.name(), p.createdAt())).toList();
    }

    public synchronized MeResponse me(ApiKey key) {
        User u = key.user();
        return new MeResponse(u.fid(), u.fid(), u.email(), u.name(), fids.stable("org_", "flow"), "admin");
    }

    public synchronized List<QuotaModel> quotas(ApiKey key, String projectFid) {
        Project project = project(key, projectFid);
        List<QuotaModel> out = new ArrayList<>();
        for (Catalog.Offer offer : catalog.offers()) {
            if (offer.region().equals(Catalog.REGIONS.getFirst())) {
                String name = offer.shape().name();
                out.add(new QuotaModel(fids.stable("quota_", project.fid() + name), project.fid(), offer.instanceTypeFid(),
                        "Spot", spotQuota(project.fid(), name), spotQuotaUsed(project.fid(), name), "instances",
                        name + " spot instances"));
            }
        }
        int usedGb = volumes.values().stream().filter(v -> v.project.equals(project.fid()) && v.deletedAt == null)
                .mapToInt(v -> v.capacityGb).sum();
        out.add(new QuotaModel(fids.stable("quota_", project.fid() + "storage"), project.fid(), null, "Storage",
                1_000_000, usedGb, "GB", "Persistent storage"));
        return out;
    }

    /**
     * A project's spot quota of one instance type (every region): the admin's setting, else one so large it never
     * refuses (benchmarks place thousands of bids; only tests of quota exhaustion set one).
     */
    private int spotQuota(String projectFid, String typeName) {
        return spotQuotas.getOrDefault(projectFid + "|" + typeName, DEFAULT_SPOT_QUOTA);
    }

    /**
     * What counts against a spot quota: the instances asked for by the project's bids of that type that are not
     * terminated (a bid holds its quota while it waits, is paused or runs), so a bid is refused when it is placed,
     * not later when an auction would allocate it.
     */
    private int spotQuotaUsed(String projectFid, String typeName) {
        return bids.values().stream().filter(b -> b.project.equals(projectFid) && b.status != BidStatus.Terminated
                && b.offer.shape().name().equals(typeName)).mapToInt(b -> b.quantity).sum();
    }

    /**
     * Sets (or with null, removes) a project's spot quota of an instance type, by project fid or name and type fid
     * or name; for tests of quota exhaustion.
     */
    public synchronized QuotaModel setSpotQuota(String projectFidOrName, String instanceType, Integer total) {
        Project project = projects.values().stream()
                .filter(p -> p.fid().equals(projectFidOrName) || p.name().equals(projectFidOrName)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Project " + projectFidOrName));
        Catalog.Offer offer = catalog.offers().stream().filter(o -> o.instanceTypeFid().equals(instanceType)
                        || o.shape().name().equals(instanceType)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Instance type " + instanceType));
        String name = offer.shape().name();
        if (total == null) {
            spotQuotas.remove(project.fid() + "|" + name);
        } else {
            spotQuotas.put(project.fid() + "|" + name, total);
        }
        return new QuotaModel(fids.stable("quota_", project.fid() + name), project.fid(),
                catalog.find(name, Catalog.REGIONS.getFirst()).map(Catalog.Offer::instanceTypeFid).orElse(null), "Spot",
                spotQuota(project.fid(), name), spotQuotaUsed(project.fid(), name), "instances", name + " spot instances");
    }

    public synchronized List<InstanceTypeModel> instanceTypes() {
        return catalog.offers().stream().map(o -> {
            Catalog.Shape s = o.shape();
            return new InstanceTypeModel(o.instanceTypeFid(), s.name(), s.numCpus(), "Intel", s.ramGb(), s.numGpus(),
                    s.gpuType(), s.gpuMemoryGb(), "SXM5", s.localStorageGb(), s.networkType(), s.ibCount(),
                    s.numGpus() == 8 ? 4 : 0);
        }).toList();
    }

    public synchronized List<AuctionModel> availability() {
        return markets.values().stream().map(m -> new AuctionModel(m.offer.auctionFid(), m.offer.instanceTypeFid(),
                m.offer.region(), available(m), Money.format(m.spotCents),
                lowestAllocated(m).map(Money::format).orElse(null), false, null)).toList();
    }

    public synchronized CurrentPricesResponse currentPrice(String instanceTypeFid, String region, int quantity) {
        Market m = market(instanceTypeFid, region);
        long win = Math.max(m.spotCents, m.reserveCents()) + 1;
        return new CurrentPricesResponse(m.spotCents, m.offer.shape().baseCents() * 3 / 2, m.reserveCents(),
                lowestAllocated(m).orElse(null), quantity <= available(m) ? Math.max(m.spotCents, m.reserveCents()) : win,
                available(m), m.capacity);
    }

    private Market market(String instanceTypeFid, String region) {
        Market m = markets.get(instanceTypeFid);
        if (m == null || (region != null && !m.offer.region().equals(region))) {
            throw ApiException.notFound("Instance type " + instanceTypeFid + (region == null ? "" : " in " + region));
        }
        return m;
    }

    private int allocated(Market m) {
        return bids.values().stream().filter(b -> b.offer == m.offer
                        && (b.status == BidStatus.Allocated || b.status == BidStatus.Preempting))
                .mapToInt(b -> b.quantity).sum();
    }

    private int available(Market m) {
        return Math.max(0, m.capacity - allocated(m));
    }

    private Optional<Long> lowestAllocated(Market m) {
        return bids.values().stream().filter(b -> b.offer == m.offer && b.status == BidStatus.Allocated)
                .map(b -> b.limitCents).min(Long::compare);
    }

    // ================================================================ bids

    public synchronized BidModel createBid(ApiKey key, Requests.CreateBid req) {
        Project project = project(key, req.project());
        List<ValidationFailure.Detail> errors = new ArrayList<>();
        Optional<Catalog.Offer> offer = catalog.byInstanceTypeFid(req.instanceType());
        if (offer.isEmpty()) {
            errors.add(detail("instance_type", "Unknown instance type " + req.instanceType()));
        } else if (!offer.get().region().equals(req.region())) {
            errors.add(detail("instance_type", "Instance type " + req.instanceType() + " is not available in region "
                    + req.region()));
        }
        for (int i = 0; i < req.sshKeys().size(); i++) {
            SshKey k = sshKeys.get(req.sshKeys().get(i));
            if (k == null || !k.project.equals(project.fid())) {
                errors.add(new ValidationFailure.Detail(List.of("body", "launch_specification", "ssh_keys", i),
                        "SSH key " + req.sshKeys().get(i) + " not found in project", "value_error"));
            }
        }
        for (int i = 0; i < req.volumes().size(); i++) {
            String problem = volumeProblem(req.volumes().get(i), project.fid(), req.region(), null);
            if (problem != null) {
                errors.add(new ValidationFailure.Detail(List.of("body", "launch_specification", "volumes", i), problem,
                        "value_error"));
            }
        }
        if (offer.isPresent()) {
            // Mithril's bid creation documents only 422 (HTTPValidationError): quota exhaustion is one of its details
            String name = offer.get().shape().name();
            int total = spotQuota(project.fid(), name);
            int used = spotQuotaUsed(project.fid(), name);
            if (used + req.instanceQuantity() > total) {
                errors.add(new ValidationFailure.Detail(List.of("body", "instance_quantity"), "Spot quota exceeded for "
                        + name + ": " + req.instanceQuantity() + " instance(s) requested, " + used + " of " + total
                        + " in use in the project", "value_error"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationFailure(errors);
        }
        Instant now = clock.instant();
        Bid bid = new Bid();
        bid.fid = fids.next("bid_");
        bid.name = req.name();
        bid.project = project.fid();
        bid.createdBy = key.user().fid();
        bid.createdAt = now;
        bid.limitCents = req.limitCents();
        bid.quantity = req.instanceQuantity();
        bid.offer = offer.get();
        bid.sshKeys.addAll(req.sshKeys());
        bid.volumes.addAll(req.volumes());
        bid.startupScript = req.startupScript();
        bid.kubernetesCluster = req.kubernetesCluster();
        bid.imageVersion = req.imageVersion();
        bid.memoryGb = req.memoryGb();
        bids.put(bid.fid, bid);
        for (String v : bid.volumes) {
            volumes.get(v).bids.add(bid.fid);
        }
        event(bid, now, "Placed", Money.format(bid.limitCents), null, null, null);
        LOG.infof("bid %s placed: %s x%d in %s at %s", bid.fid, bid.offer.shape().name(), bid.quantity,
                bid.offer.region(), Money.format(bid.limitCents));
        return toModel(bid);
    }

    private static ValidationFailure.Detail detail(String field, String msg) {
        return new ValidationFailure.Detail(List.of("body", field), msg, "value_error");
    }

    /** Why the volume cannot be attached to a bid in this project/region, or null. */
    private String volumeProblem(String volumeFid, String projectFid, String region, String exceptBid) {
        Volume v = volumes.get(volumeFid);
        if (v == null || v.deletedAt != null || !v.project.equals(projectFid)) {
            return "Volume " + volumeFid + " not found in project";
        }
        if (!v.region.equals(region)) {
            return "Volume " + volumeFid + " is in region " + v.region + ", not " + region;
        }
        boolean blockInUse = v.diskInterface.equals("Block") && v.bids.stream()
                .anyMatch(b -> !b.equals(exceptBid) && bids.get(b).status != BidStatus.Terminated);
        return blockInUse ? "Block volume " + volumeFid + " is already attached to another bid" : null;
    }

    public synchronized DataPage<BidModel> listBids(ApiKey key, Requests.BidFilter f, String cursor, int limit,
                                                    String sortBy, String sortDir) {
        if (f.project() != null) {
            project(key, f.project());
        }
        Comparator<Bid> order = "status".equals(sortBy)
                ? Comparator.comparing((Bid b) -> b.status.name()).thenComparing(b -> b.createdAt).thenComparing(b -> b.fid)
                : Comparator.comparing((Bid b) -> b.createdAt).thenComparing(b -> b.fid);
        if ("desc".equals(sortDir)) {
            order = order.reversed();
        }
        List<Bid> matching = bids.values().stream()
                .filter(b -> visible(key, b.project))
                .filter(b -> f.project() == null || b.project.equals(f.project()))
                .filter(b -> f.instanceType() == null || b.offer.instanceTypeFid().equals(f.instanceType()))
                .filter(b -> f.region() == null || b.offer.region().equals(f.region()))
                .filter(b -> f.status() == null || b.status.name().equals(f.status()))
                .filter(b -> f.name() == null || b.name.equals(f.name()))
                .sorted(order).toList();
        Paging.Page<Bid> page = Paging.page(matching, cursor, limit);
        return new DataPage<>(page.items().stream().map(this::toModel).toList(), page.nextCursor());
    }

    private Bid bid(ApiKey key, String fid) {
        Bid bid = bids.get(fid);
        if (bid == null || !visible(key, bid.project)) {
            throw ApiException.notFound("Bid");
        }
        return bid;
    }

    public synchronized BidModel getBid(ApiKey key, String fid) {
        return toModel(bid(key, fid));
    }

    public synchronized BidStatusResponse bidStatus(ApiKey key, String fid) {
        Bid bid = bid(key, fid);
        return new BidStatusResponse(bid.fid, bid.status.name());
    }

    public synchronized BidHistoryResponse bidHistory(ApiKey key, String fid) {
        Bid bid = bid(key, fid);
        return new BidHistoryResponse(bid.fid, bid.history.stream().map(e -> new BidHistoryEventModel(e.timestamp(),
                e.eventType(), e.limitPrice(), e.userId(), e.memoryGb(),
                e.attached() == null && e.removed() == null ? null : new PersistentDiskChange(e.attached(), e.removed())))
                .toList());
    }

    public synchronized BidModel updateBid(ApiKey key, String fid, Requests.UpdateBid req) {
        Bid bid = bid(key, fid);
        if (bid.status == BidStatus.Terminated) {
            throw ApiException.badRequest("Bid " + fid + " is terminated");
        }
        Instant now = clock.instant();
        String user = key.user().fid();
        if (req.volumes() != null) {
            changeVolumes(bid, req.volumes(), now, user);
        }
        if (req.limitCents() != null && req.limitCents() != bid.limitCents) {
            bid.limitCents = req.limitCents();
            event(bid, now, "Limit Price Changed", Money.format(bid.limitCents), user, null, null);
        }
        if (req.memoryGb() != null && !req.memoryGb().equals(bid.memoryGb)) {
            bid.memoryGb = req.memoryGb();
            event(bid, now, "Memory Adjusted", null, user, bid.memoryGb, null);
        }
        if (Boolean.TRUE.equals(req.paused()) && bid.status != BidStatus.Paused) {
            pause(bid, now, user);
        } else if (Boolean.FALSE.equals(req.paused()) && bid.status == BidStatus.Paused) {
            bid.status = BidStatus.Open;
            event(bid, now, "Resumed", null, user, null, null);
        }
        return toModel(bid);
    }

    private void changeVolumes(Bid bid, List<String> wanted, Instant now, String user) {
        if (wanted.equals(bid.volumes)) {
            return;
        }
        if (bid.status != BidStatus.Paused) {
            // PATCH /v2/spot/bids/{fid} documents only 200 and 422 (HTTPValidationError): a refusal is a 422 detail
            throw new ValidationFailure(List.of(new ValidationFailure.Detail(List.of("body", "volumes"),
                    "Volumes can only be changed while the bid is paused", "value_error")));
        }
        List<ValidationFailure.Detail> errors = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            String problem = volumeProblem(wanted.get(i), bid.project, bid.offer.region(), bid.fid);
            if (problem != null) {
                errors.add(new ValidationFailure.Detail(List.of("body", "volumes", i), problem, "value_error"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationFailure(errors);
        }
        for (String removed : List.copyOf(bid.volumes)) {
            if (!wanted.contains(removed)) {
                detach(bid, volumes.get(removed));
                event(bid, now, "Volumes Removed", null, user, null, new String[] {null, removed});
            }
        }
        for (String added : wanted) {
            if (!bid.volumes.contains(added)) {
                volumes.get(added).bids.add(bid.fid);
                event(bid, now, "Volumes Attached", null, user, null, new String[] {added, null});
            }
        }
        bid.volumes.clear();
        bid.volumes.addAll(wanted);
    }

    private void detach(Bid bid, Volume v) {
        v.bids.remove(bid.fid);
        bid.instances.forEach(v.attachments::remove);
    }

    /** The checks of a request on a bid (it exists, the caller may see it) without any effect. */
    public synchronized void checkBid(ApiKey key, String fid) {
        bid(key, fid);
    }

    public synchronized void cancelBid(ApiKey key, String fid) {
        Bid bid = bid(key, fid);
        if (bid.status == BidStatus.Terminated) {
            return;
        }
        Instant now = clock.instant();
        for (Instance i : instancesOf(bid)) {
            if (!i.status.isFinal()) {
                stopInstance(i, InstanceStatus.STATUS_TERMINATED, now, "terminated");
            }
        }
        bid.status = BidStatus.Terminated;
        bid.deactivatedAt = now;
        bid.preemptAt = null;
        forcedPreemptions.remove(bid.fid);
        for (String v : bid.volumes) {
            detach(bid, volumes.get(v));
        }
        event(bid, now, "Terminated", null, key.user().fid(), null, null);
        LOG.infof("bid %s terminated", bid.fid);
    }

    private void pause(Bid bid, Instant now, String user) {
        for (Instance i : instancesOf(bid)) {
            if (!i.status.isFinal() && i.status != InstanceStatus.STATUS_PAUSED) {
                leaveRunning(i, now);
                setStatus(i, InstanceStatus.STATUS_STOPPING, now);
                i.nextStepAt = now.plus(stepDelay);
                shutdownRuntime(i, "paused");
            }
        }
        bid.status = BidStatus.Paused;
        bid.preemptAt = null;
        forcedPreemptions.remove(bid.fid);
        event(bid, now, "Paused", null, user, null, null);
    }

    private void event(Bid bid, Instant at, String type, String limitPrice, String user, Integer memoryGb,
                       String[] diskChange) {
        bid.history.add(new BidEvent(at, type, limitPrice, user == null ? bid.createdBy : user, memoryGb,
                diskChange == null ? null : diskChange[0], diskChange == null ? null : diskChange[1]));
    }

    private List<Instance> instancesOf(Bid bid) {
        return bid.instances.stream().map(instances::get).filter(Objects::nonNull).toList();
    }

    private BidModel toModel(Bid b) {
        return new BidModel(b.fid, b.name, b.project, b.createdBy, b.createdAt, b.deactivatedAt,
                Money.format(b.limitCents), b.quantity, b.offer.instanceTypeFid(), b.offer.region(),
                List.copyOf(b.instances), new LaunchSpecificationModel(List.copyOf(b.volumes), List.copyOf(b.sshKeys),
                b.startupScript, b.kubernetesCluster, b.imageVersion, b.memoryGb), b.status.name());
    }

    // ================================================================ instances

    public synchronized DataPage<InstanceModel> listInstances(ApiKey key, Requests.InstanceFilter f, String cursor,
                                                              int limit, String sortBy, String sortDir) {
        project(key, f.project());
        Comparator<Instance> order = switch (sortBy == null ? "created_at" : sortBy) {
            case "instance_status" -> Comparator.comparing((Instance i) -> i.status.name());
            case "instance_type_fid" -> Comparator.comparing((Instance i) -> i.offer.instanceTypeFid());
            default -> Comparator.comparing((Instance i) -> i.createdAt);
        };
        order = order.thenComparing(i -> i.createdAt).thenComparing(i -> i.fid);
        if ("desc".equals(sortDir)) {
            order = order.reversed();
        }
        boolean wantsBids = f.orderTypeIn() == null || f.orderTypeIn().contains("Bid");
        List<Instance> matching = instances.values().stream()
                .filter(i -> i.project.equals(f.project()))
                .filter(i -> wantsBids)
                .filter(i -> f.instanceType() == null || i.offer.instanceTypeFid().equals(f.instanceType()))
                .filter(i -> f.region() == null || i.offer.region().equals(f.region()))
                .filter(i -> f.statusIn() == null || f.statusIn().contains(i.status.name()))
                .filter(i -> f.bidFidIn() == null || f.bidFidIn().contains(i.bid))
                .filter(i -> f.reservationFidIn() == null)
                .sorted(order).toList();
        Paging.Page<Instance> page = Paging.page(matching, cursor, limit);
        return new DataPage<>(page.items().stream().map(this::toModel).toList(), page.nextCursor());
    }

    private InstanceModel toModel(Instance i) {
        return new InstanceModel(i.fid, i.name, i.project, i.createdAt, i.createdBy, i.offer.instanceTypeFid(),
                i.offer.region(), i.bid, null, sshDestination(i), i.privateIp, i.status.name());
    }

    private String sshDestination(Instance i) {
        return i.sshPort == null ? null : ssh.host() + ":" + i.sshPort;
    }

    private Instance instance(ApiKey key, String fid) {
        Instance i = instances.get(fid);
        if (i == null || !visible(key, i.project)) {
            throw ApiException.notFound("Instance");
        }
        return i;
    }

    public synchronized InstanceStatusResponse instanceStatus(ApiKey key, String fid) {
        Instance i = instance(key, fid);
        return new InstanceStatusResponse(i.fid, i.name, i.status.name(), i.bid, null, i.endTime);
    }

    /**
     * The instances a history query is about, in a stable order (creation time, then fid). With a time window
     * ({@code start_time}/{@code end_time}), only the instances that have history in it: an instance without an event
     * in the window has no history there, so a caller asking "what changed since t" pages over the changes, not over
     * every instance the project ever had.
     */
    private List<Instance> historySubjects(ApiKey key, Requests.HistoryFilter f, Predicate<Instance> inWindow) {
        project(key, f.project());
        boolean windowed = f.startTime() != null || f.endTime() != null;
        return instances.values().stream()
                .filter(i -> i.project.equals(f.project()))
                .filter(i -> f.instanceFid() == null || i.fid.equals(f.instanceFid()))
                .filter(i -> f.bidFid() == null || f.bidFid().equals(i.bid))
                .filter(i -> f.reservationFid() == null)
                .filter(i -> !windowed || inWindow.test(i))
                .sorted(HISTORY_ORDER)
                .toList();
    }

    /** Creation time (fixed-width epoch nanoseconds, so the string order is the time order), then fid. */
    private static String historyKey(Instance i) {
        long nanos = i.createdAt.getEpochSecond() * 1_000_000_000L + i.createdAt.getNano();
        return String.format("%020d|%s", nanos, i.fid);
    }

    /** The order of {@link #historyKey}, without formatting a key per comparison. */
    private static final Comparator<Instance> HISTORY_ORDER = Comparator.comparing((Instance i) -> i.createdAt)
            .thenComparing(i -> i.fid);

    /** A page of history subjects; the cursor names the last instance returned, so changes between pages skip none. */
    private static Paging.Page<Instance> historyPage(List<Instance> subjects, String cursor, int limit) {
        return Paging.pageAfter(subjects, cursor, limit, EmulatorEngine::historyKey);
    }

    private static boolean within(Instant t, Requests.HistoryFilter f) {
        return (f.startTime() == null || !t.isBefore(f.startTime())) && (f.endTime() == null || !t.isAfter(f.endTime()));
    }

    public synchronized InstanceStatusHistoryResponse statusHistory(ApiKey key, Requests.HistoryFilter f, String cursor,
                                                                    int limit) {
        List<Instance> subjects = historySubjects(key, f,
                i -> i.statusHistory.stream().anyMatch(e -> within(e.timestamp(), f)));
        Paging.Page<Instance> page = historyPage(subjects, cursor, limit);
        return new InstanceStatusHistoryResponse(page.items().stream().map(i -> new InstanceStatusHistory(i.fid,
                i.statusHistory.stream().filter(e -> within(e.timestamp(), f))
                        .map(e -> new InstanceStatusEvent(e.timestamp(), e.status().name())).toList(),
                i.bid, null)).toList(), page.nextCursor());
    }

    public synchronized InstancePricingHistoryResponse pricingHistory(ApiKey key, Requests.HistoryFilter f,
                                                                      String cursor, int limit) {
        List<Instance> subjects = historySubjects(key, f, i -> i.pricing.stream().anyMatch(p -> within(p.start, f)));
        Paging.Page<Instance> page = historyPage(subjects, cursor, limit);
        return new InstancePricingHistoryResponse(page.items().stream().map(i -> new InstancePricingHistory(i.fid,
                i.pricing.stream().filter(p -> within(p.start, f))
                        .map(p -> new InstancePricingEvent(p.priceCents, p.start, p.end)).toList(),
                i.bid, null)).toList(), page.nextCursor());
    }

    // ================================================================ volumes

    public synchronized List<VolumeModel> listVolumes(ApiKey key, String projectFid, String region,
                                                      boolean includeDeleted) {
        project(key, projectFid);
        return volumes.values().stream().filter(v -> v.project.equals(projectFid))
                .filter(v -> region == null || v.region.equals(region))
                .filter(v -> includeDeleted || v.deletedAt == null)
                .map(this::toModel).toList();
    }

    public synchronized VolumeModel createVolume(ApiKey key, Requests.CreateVolume req) {
        Project project = project(key, req.project());
        if (!Catalog.REGIONS.contains(req.region())) {
            throw ValidationFailure.of("body", "region", "Unknown region " + req.region(), "value_error");
        }
        if (req.diskInterface().equals("File") && req.region().startsWith("eu-")) {
            throw ApiException.badRequest("File shares not available in region " + req.region());
        }
        Volume v = new Volume();
        v.fid = fids.next("vol_");
        v.name = req.name();
        v.region = req.region();
        v.createdAt = clock.instant();
        v.capacityGb = (int) req.sizeGb();
        v.project = project.fid();
        v.diskInterface = req.diskInterface();
        volumes.put(v.fid, v);
        return toModel(v);
    }

    private Volume volume(ApiKey key, String fid) {
        Volume v = volumes.get(fid);
        if (v == null || v.deletedAt != null || !visible(key, v.project)) {
            throw ApiException.notFound("Volume");
        }
        return v;
    }

    public synchronized VolumeModel renameVolume(ApiKey key, String fid, String name) {
        Volume v = volume(key, fid);
        v.name = name;
        return toModel(v);
    }

    public synchronized void deleteVolume(ApiKey key, String fid) {
        Volume v = volume(key, fid);
        List<String> active = v.bids.stream().filter(b -> bids.get(b).status != BidStatus.Terminated).toList();
        if (!active.isEmpty()) {
            throw ApiException.badRequest("Volume " + fid + " is attached to bid " + active.getFirst()
                    + "; detach it or terminate the bid first");
        }
        v.deletedAt = clock.instant();
    }

    private VolumeModel toModel(Volume v) {
        return new VolumeModel(v.fid, v.name, v.region, v.createdAt, v.deletedAt, v.capacityGb, v.project,
                v.diskInterface, List.copyOf(v.bids), List.of(), Map.copyOf(v.attachments));
    }

    // ================================================================ ssh keys

    public synchronized List<NewSshKeyModel> listSshKeys(ApiKey key, String projectFid) {
        project(key, projectFid);
        return sshKeys.values().stream().filter(k -> k.project.equals(projectFid)).map(this::toModel).toList();
    }

    public synchronized CreatedSshKeyModel createSshKey(ApiKey key, Requests.CreateSshKey req) {
        Project project = project(key, req.project());
        String publicKey = req.publicKey();
        String privateKey = null;
        if (publicKey == null) {
            SshKeys.Generated pair = SshKeys.generate(req.name());
            publicKey = pair.publicKey();
            privateKey = pair.privateKey();
        } else if (SshKeys.parse(publicKey).isEmpty()) {
            throw ValidationFailure.of("body", "public_key", "Invalid SSH public key", "value_error");
        }
        SshKey k = new SshKey();
        k.fid = fids.next("sshkey_");
        k.name = req.name();
        k.project = project.fid();
        k.publicKey = publicKey.trim();
        k.createdAt = clock.instant();
        k.required = req.required();
        sshKeys.put(k.fid, k);
        return new CreatedSshKeyModel(k.fid, k.name, k.project, k.publicKey, k.createdAt, k.required, privateKey);
    }

    private SshKey sshKey(ApiKey key, String fid) {
        SshKey k = sshKeys.get(fid);
        if (k == null || !visible(key, k.project)) {
            throw ApiException.notFound("SSH key");
        }
        return k;
    }

    public synchronized NewSshKeyModel updateSshKey(ApiKey key, String fid, boolean required) {
        SshKey k = sshKey(key, fid);
        k.required = required;
        return toModel(k);
    }

    public synchronized void deleteSshKey(ApiKey key, String fid) {
        SshKey k = sshKey(key, fid);
        boolean inUse = bids.values().stream().anyMatch(b -> b.status != BidStatus.Terminated && b.sshKeys.contains(fid));
        if (inUse) {
            throw ApiException.badRequest("SSH key " + fid + " is used by an active bid");
        }
        sshKeys.remove(k.fid);
    }

    private NewSshKeyModel toModel(SshKey k) {
        return new NewSshKeyModel(k.fid, k.name, k.project, k.publicKey, k.createdAt, k.required);
    }

    // ================================================================ time and market

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("emulator tick failed", e);
        }
    }

    synchronized void tick() {
        Instant now = clock.instant();
        for (Instance i : List.copyOf(instances.values())) {
            while (i.nextStepAt != null && !now.isBefore(i.nextStepAt)) {
                step(i);
            }
        }
        for (Bid bid : List.copyOf(bids.values())) {
            if (bid.status == BidStatus.Preempting && bid.preemptAt != null && !now.isBefore(bid.preemptAt)) {
                completePreemption(bid, bid.preemptAt);
            }
        }
        if (!now.isBefore(nextAuctionAt)) {
            auction(now);
            nextAuctionAt = now.plus(auctionInterval);
        }
    }

    private void step(Instance i) {
        Instant at = i.nextStepAt;
        InstanceStatus next = i.status.nextBootStep();
        if (next == null) {
            i.nextStepAt = null;
            return;
        }
        setStatus(i, next, at);
        i.nextStepAt = next.nextBootStep() == null || next == InstanceStatus.STATUS_RUNNING ? null : at.plus(stepDelay);
        if (next == InstanceStatus.STATUS_RUNNING) {
            i.nextStepAt = null;
            enterRunning(i, at);
        }
    }

    private void enterRunning(Instance i, Instant at) {
        Bid bid = bids.get(i.bid);
        Market m = markets.get(i.offer.instanceTypeFid());
        i.pricing.add(new PriceInterval(billedPrice(i, m.spotCents), at));
        InstanceRuntime runtime = workloads.create(i.fid);
        // a bid's keys cannot change, so the snapshot is final; SSH threads never take the engine lock
        List<PublicKey> allowed = bid.sshKeys.stream().map(sshKeys::get).filter(Objects::nonNull)
                .map(k -> SshKeys.parse(k.publicKey)).flatMap(Optional::stream).toList();
        i.sshPort = ssh.open(i.fid, runtime, () -> allowed);
        if (!i.booted) {
            i.booted = true;
            if (i.runsStartupScript) {
                Optional<WorkloadSpec> spec;
                try {
                    spec = bid.startupScript == null ? Optional.empty() : WorkloadBlock.find(bid.startupScript);
                } catch (WorkloadBlockException e) {
                    // the parser's message may quote the script, which holds env values: not logged
                    LOG.warnf("bid %s: malformed workload block; the instance idles", bid.fid);
                    spec = Optional.empty();
                }
                runtime.firstBoot(spec, bid.startupScript != null, i.rank, bid.quantity);
            } else {
                runtime.bootWithoutScript();
            }
        } else {
            runtime.reboot();
        }
    }

    private void setStatus(Instance i, InstanceStatus status, Instant at) {
        i.status = status;
        i.statusHistory.add(new StatusEvent(at, status));
    }

    private boolean billed(Instance i) {
        return i.status == InstanceStatus.STATUS_RUNNING || i.status == InstanceStatus.STATUS_PREEMPTING && i.sshPort != null;
    }

    private void leaveRunning(Instance i, Instant at) {
        if (!i.pricing.isEmpty() && i.pricing.getLast().end == null) {
            i.pricing.getLast().end = at;
        }
    }

    private void shutdownRuntime(Instance i, String why) {
        ssh.close(i.fid);
        i.sshPort = null;
        workloads.find(i.fid).ifPresent(rt -> rt.stop(why));
    }

    private void stopInstance(Instance i, InstanceStatus finalStatus, Instant at, String why) {
        leaveRunning(i, at);
        i.nextStepAt = null;
        i.endTime = at;
        setStatus(i, finalStatus, at);
        shutdownRuntime(i, why);
    }

    /** One auction round in every market: all-or-nothing allocation by limit price, second-price spot. */
    private void auction(Instant now) {
        for (Market m : markets.values()) {
            walkPrice(m);
            List<Bid> competing = bids.values().stream().filter(b -> b.offer == m.offer && b.status.competes())
                    .sorted(Comparator.comparingLong((Bid b) -> -b.limitCents)
                            .thenComparing(b -> b.status == BidStatus.Open ? 1 : 0)
                            .thenComparing(b -> b.createdAt).thenComparing(b -> b.fid))
                    .toList();
            long reserve = m.reserveCents();
            int remaining = m.capacity;
            List<Bid> winners = new ArrayList<>();
            List<Bid> losers = new ArrayList<>();
            for (Bid b : competing) {
                if (!forcedPreemptions.contains(b.fid) && b.limitCents >= reserve && b.quantity <= remaining) {
                    winners.add(b);
                    remaining -= b.quantity;
                } else {
                    losers.add(b);
                }
            }
            long spot = reserve;
            long highestLoser = losers.stream().filter(b -> !forcedPreemptions.contains(b.fid))
                    .mapToLong(b -> b.limitCents).max().orElse(0);
            if (highestLoser > spot) {
                long lowestWinner = winners.stream().mapToLong(b -> b.limitCents).min().orElse(Long.MAX_VALUE);
                spot = Math.min(highestLoser, Math.max(lowestWinner, reserve));
            }
            reprice(m, spot, now);
            for (Bid b : winners) {
                if (b.status == BidStatus.Open) {
                    allocate(b, now);
                } else if (b.status == BidStatus.Preempting) {
                    rescue(b, now);
                }
            }
            for (Bid b : losers) {
                if (b.status == BidStatus.Allocated) {
                    startPreemption(b, now);
                }
            }
        }
    }

    private void walkPrice(Market m) {
        if (m.pinnedCents != null || volatilityBps <= 0) {
            return;
        }
        long base = m.offer.shape().baseCents();
        double step = random.nextGaussian() * volatilityBps / 10_000.0;
        long next = m.floorCents + Math.round(m.floorCents * step) + (base - m.floorCents) / 10;
        m.floorCents = Math.max(Math.max(1, base / 2), Math.min(base * 2, next));
    }

    private void reprice(Market m, long spot, Instant now) {
        if (spot == m.spotCents) {
            return;
        }
        m.spotCents = spot;
        for (Instance i : instances.values()) {
            if (i.offer == m.offer && billed(i)) {
                long price = billedPrice(i, spot);
                if (i.pricing.isEmpty() || i.pricing.getLast().priceCents != price) {
                    leaveRunning(i, now);
                    i.pricing.add(new PriceInterval(price, now));
                }
            }
        }
    }

    /** Instances pay the spot price, never more than their bid's limit (also during a preemption notice). */
    private long billedPrice(Instance i, long spot) {
        return Math.min(spot, bids.get(i.bid).limitCents);
    }

    private void allocate(Bid bid, Instant now) {
        List<Instance> paused = instancesOf(bid).stream().filter(i -> i.status == InstanceStatus.STATUS_PAUSED
                || i.status == InstanceStatus.STATUS_STOPPING).toList();
        if (!paused.isEmpty()) {
            for (Instance i : paused) {
                setStatus(i, InstanceStatus.STATUS_CONFIRMED, now);
                i.nextStepAt = now.plus(stepDelay);
                i.endTime = null;
            }
        } else {
            boolean firstBoot = !bid.firstBootDone;
            bid.firstBootDone = true;
            List<String> created = new ArrayList<>();
            for (int rank = 0; rank < bid.quantity; rank++) {
                Instance i = new Instance();
                i.fid = fids.next("inst_");
                i.name = bid.name + "-" + rank;
                i.project = bid.project;
                i.createdBy = bid.createdBy;
                i.createdAt = now;
                i.offer = bid.offer;
                i.bid = bid.fid;
                i.rank = rank;
                i.privateIp = "10.0." + (instances.size() / 250 % 250) + "." + (instances.size() % 250 + 2);
                i.runsStartupScript = firstBoot;
                setStatus(i, InstanceStatus.STATUS_NEW, now);
                i.nextStepAt = now.plus(stepDelay);
                instances.put(i.fid, i);
                created.add(i.fid);
                for (String v : bid.volumes) {
                    volumes.get(v).attachments.put(i.fid, "/dev/vd" + (char) ('b' + bid.volumes.indexOf(v)));
                }
            }
            bid.instances = created;
        }
        bid.status = BidStatus.Allocated;
        event(bid, now, "Allocated", Money.format(bid.limitCents), null, null, null);
        LOG.infof("bid %s allocated (%d instance(s))", bid.fid, bid.quantity);
    }

    private void startPreemption(Bid bid, Instant now) {
        bid.status = BidStatus.Preempting;
        bid.preemptAt = now.plus(preemptionNotice);
        for (Instance i : instancesOf(bid)) {
            if (!i.status.isFinal() && i.status != InstanceStatus.STATUS_PAUSED) {
                i.nextStepAt = null;
                i.endTime = bid.preemptAt;
                setStatus(i, InstanceStatus.STATUS_PREEMPTING, now);
            }
        }
        LOG.infof("bid %s preempting until %s", bid.fid, bid.preemptAt);
    }

    /** Outbid bids that win again inside the notice window keep their instances. */
    private void rescue(Bid bid, Instant now) {
        bid.status = BidStatus.Allocated;
        bid.preemptAt = null;
        for (Instance i : instancesOf(bid)) {
            if (i.status == InstanceStatus.STATUS_PREEMPTING) {
                i.endTime = null;
                if (i.sshPort != null) {
                    setStatus(i, InstanceStatus.STATUS_RUNNING, now);
                } else {
                    setStatus(i, InstanceStatus.STATUS_STARTING, now);
                    i.nextStepAt = now.plus(stepDelay);
                }
            }
        }
    }

    private void completePreemption(Bid bid, Instant at) {
        for (Instance i : instancesOf(bid)) {
            if (!i.status.isFinal()) {
                stopInstance(i, InstanceStatus.STATUS_PREEMPTED, at, "preempted");
            }
        }
        for (String v : bid.volumes) {
            bid.instances.forEach(volumes.get(v).attachments::remove);
        }
        bid.instances = new ArrayList<>();
        bid.status = BidStatus.Open;
        bid.preemptAt = null;
        forcedPreemptions.remove(bid.fid);
        event(bid, at, "Preempted", Money.format(bid.limitCents), null, null, null);
        LOG.infof("bid %s preempted", bid.fid);
    }

    // ================================================================ admin

    public record Settings(long auctionIntervalMillis, double clockSpeed, long instanceStepDelayMillis,
                           long preemptionNoticeMillis, int volatilityBps, Instant now) {
    }

    public synchronized Settings settings() {
        return new Settings(auctionInterval.toMillis(), clock.speed(), stepDelay.toMillis(), preemptionNotice.toMillis(),
                volatilityBps, clock.instant());
    }

    public synchronized Settings updateSettings(Long auctionMillis, Double speed, Long stepMillis, Long noticeMillis,
                                                Integer volatility) {
        if (auctionMillis != null) {
            auctionInterval = Duration.ofMillis(positive(auctionMillis, "auction_interval_ms"));
            nextAuctionAt = clock.instant().plus(auctionInterval);
        }
        if (speed != null) {
            try {
                clock.setSpeed(speed);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        if (stepMillis != null) {
            stepDelay = Duration.ofMillis(positive(stepMillis, "instance_step_delay_ms"));
        }
        if (noticeMillis != null) {
            preemptionNotice = Duration.ofMillis(positive(noticeMillis, "preemption_notice_ms"));
        }
        if (volatility != null) {
            volatilityBps = (int) positive(volatility, "volatility_bps");
        }
        return settings();
    }

    private static long positive(long value, String name) {
        if (value < 0) {
            throw ApiException.badRequest(name + " must not be negative");
        }
        return value;
    }

    public synchronized Instant advanceClock(Duration by) {
        clock.advance(by);
        tick();
        return clock.instant();
    }

    public synchronized void runAuctionNow() {
        tick();
        auction(clock.instant());
        nextAuctionAt = clock.instant().plus(auctionInterval);
    }

    /** Pins the reserve price of a market; null unpins it (the random walk resumes). */
    public synchronized AuctionModel setSpotPrice(String instanceType, String region, Long cents) {
        Catalog.Offer offer = catalog.find(instanceType, region)
                .orElseThrow(() -> ApiException.notFound("Instance type " + instanceType + " in " + region));
        Market m = markets.get(offer.instanceTypeFid());
        m.pinnedCents = cents;
        if (cents != null) {
            m.floorCents = cents;
        }
        runAuctionNow();
        return availability().stream().filter(a -> a.instanceType().equals(offer.instanceTypeFid())).findFirst()
                .orElseThrow();
    }

    public synchronized void preemptBid(String bidFid) {
        Bid bid = adminBid(bidFid);
        if (bid.status != BidStatus.Allocated && bid.status != BidStatus.Preempting) {
            throw ApiException.badRequest("Bid " + bidFid + " is " + bid.status + ", not allocated");
        }
        forcedPreemptions.add(bid.fid);
        if (bid.status == BidStatus.Allocated) {
            startPreemption(bid, clock.instant());
        }
    }

    public synchronized void preemptInstance(String instanceFid) {
        preemptBid(adminInstance(instanceFid).bid);
    }

    public synchronized void failInstance(String instanceFid) {
        Instance i = adminInstance(instanceFid);
        if (!i.status.isFinal()) {
            stopInstance(i, InstanceStatus.STATUS_ERROR, clock.instant(), "failed");
        }
    }

    public synchronized void failBid(String bidFid) {
        Bid bid = adminBid(bidFid);
        for (Instance i : instancesOf(bid)) {
            if (!i.status.isFinal()) {
                stopInstance(i, InstanceStatus.STATUS_ERROR, clock.instant(), "failed");
            }
        }
    }

    /** Internal view of an instance for tests and tools (never part of /v2). */
    public record InstanceInfo(String fid, String bid, String status, String sshHost, Integer sshPort, String directory,
                               boolean containerRunning, Integer exitCode) {
    }

    public synchronized InstanceInfo instanceInfo(String instanceFid) {
        Instance i = adminInstance(instanceFid);
        Optional<InstanceRuntime> rt = workloads.find(i.fid);
        return new InstanceInfo(i.fid, i.bid, i.status.name(), ssh.host(), i.sshPort,
                rt.map(r -> r.dir().toString()).orElse(null), rt.map(InstanceRuntime::running).orElse(false),
                rt.flatMap(InstanceRuntime::exitCode).orElse(null));
    }

    private Bid adminBid(String fid) {
        return Optional.ofNullable(bids.get(fid)).orElseThrow(() -> ApiException.notFound("Bid"));
    }

    private Instance adminInstance(String fid) {
        return Optional.ofNullable(instances.get(fid)).orElseThrow(() -> ApiException.notFound("Instance"));
    }

    /** Drops all state and kills every process; the catalog, keys and projects come back as configured. */
    public synchronized void reset() {
        ssh.closeAll();
        workloads.closeAll();
        keys.clear();
        projects.clear();
        markets.clear();
        bids.clear();
        instances.clear();
        volumes.clear();
        sshKeys.clear();
        forcedPreemptions.clear();
        spotQuotas.clear();
        clock.setSpeed(config.market().clockSpeed());
        build();
        LOG.info("emulator state reset");
    }

}
