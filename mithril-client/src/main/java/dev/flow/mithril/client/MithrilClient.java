package dev.flow.mithril.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flow.mithril.client.model.Auction;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidHistory;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.BidStatus;
import dev.flow.mithril.client.model.BidStatusResponse;
import dev.flow.mithril.client.model.CreateBidRequest;
import dev.flow.mithril.client.model.CreateSshKeyRequest;
import dev.flow.mithril.client.model.CreateVolumeRequest;
import dev.flow.mithril.client.model.CreatedSshKey;
import dev.flow.mithril.client.model.CurrentPrices;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstancePricingHistory;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.mithril.client.model.InstanceStatusResponse;
import dev.flow.mithril.client.model.InstanceType;
import dev.flow.mithril.client.model.Me;
import dev.flow.mithril.client.model.Page;
import dev.flow.mithril.client.model.Project;
import dev.flow.mithril.client.model.Quota;
import dev.flow.mithril.client.model.SshKey;
import dev.flow.mithril.client.model.UpdateBidRequest;
import dev.flow.mithril.client.model.UpdateSshKeyRequest;
import dev.flow.mithril.client.model.UpdateVolumeRequest;
import dev.flow.mithril.client.model.Volume;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The typed reactive client of the Mithril v2 API: every call is a lazy {@link Uni} (nothing is sent until it is
 * subscribed), cursor-paged lists are also {@link Multi}s that follow {@code next_cursor}.
 *
 * <p>Retries: reads, DELETE and PATCH (idempotent in effect) retry 429/5xx/connection failures with exponential
 * backoff and full jitter, honouring {@code Retry-After}. Creates ({@link #createBid}, {@link #createVolume}) post
 * again only after a look-up by name shows no earlier attempt created the resource, and adopt it otherwise, so a
 * name is never bid twice. {@link #createSshKey} is not retried (a duplicate key is harmless but the private key of a
 * lost answer would be gone).
 *
 * <p>Failures are the seed's typed errors: {@code AuthenticationError} (401/403), {@code ResourceNotFoundError}
 * (404), {@code ValidationError} (400/422, with FastAPI's field errors), {@code InsufficientQuotaError},
 * {@code FlowTimeoutError} (504 and timeouts), {@code FlowServiceError} (unreachable) and
 * {@link MithrilApiException} for any other status.
 *
 * <p>Thread-safe. Use from Quarkus with the application's Vert.x ({@link #MithrilClient(Vertx, MithrilClientConfig)})
 * or stand-alone with {@link #create(MithrilClientConfig)}; {@link #close()} releases what the client owns.
 */
public final class MithrilClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MithrilClient.class.getName());
    private static final String BIDS = "/v2/spot/bids";
    private static final String VOLUMES = "/v2/volumes";
    /**
     * Keep-alive connections to Mithril at once. Vert.x's default (5) queued a burst of submits behind each other:
     * 16 requests in flight each making a Mithril call waited for one of 5 connections.
     */
    static final int MAX_CONNECTIONS = 32;

    private final MithrilClientConfig config;
    private final WebClient web;
    private final Vertx ownedVertx;
    private final ObjectMapper json = MithrilJson.create();
    private final ErrorMapper errors;

    /** A client on the caller's Vert.x (in Quarkus: the injected {@code io.vertx.mutiny.core.Vertx}). */
    public MithrilClient(Vertx vertx, MithrilClientConfig config) {
        this(vertx, config, null);
    }

    private MithrilClient(Vertx vertx, MithrilClientConfig config, Vertx owned) {
        this.config = Objects.requireNonNull(config, "config");
        this.ownedVertx = owned;
        this.errors = new ErrorMapper(json, config.apiKey());
        WebClientOptions options = new WebClientOptions()
                .setConnectTimeout(Math.toIntExact(config.connectTimeout().toMillis()))
                .setUserAgent(config.userAgent())
                .setFollowRedirects(false)
                .setKeepAlive(true)
                .setMaxPoolSize(MAX_CONNECTIONS);
        this.web = WebClient.create(Objects.requireNonNull(vertx, "vertx"), options);
    }

    /** A stand-alone client with its own Vert.x, for a plain {@code main} or a CLI; close it when done. */
    public static MithrilClient create(MithrilClientConfig config) {
        Vertx vertx = Vertx.vertx();
        return new MithrilClient(vertx, config, vertx);
    }

    public MithrilClientConfig config() {
        return config;
    }

    @Override
    public void close() {
        web.close();
        if (ownedVertx != null) {
            ownedVertx.closeAndAwait();
        }
    }

    // ---------------------------------------------------------------------------------------------- account

    /** {@code GET /v2/projects}. */
    public Uni<List<Project>> projects() {
        return get("/v2/projects", Map.of(), new TypeReference<List<Project>>() { });
    }

    /** {@code GET /v2/me}. */
    public Uni<Me> me() {
        return get("/v2/me", Map.of(), new TypeReference<Me>() { });
    }

    /** {@code GET /v2/quotas?project=}. */
    public Uni<List<Quota>> quotas(String project) {
        return get("/v2/quotas", Map.of("project", project), new TypeReference<List<Quota>>() { });
    }

    // ---------------------------------------------------------------------------------------------- market

    /** {@code GET /v2/instance-types}. */
    public Uni<List<InstanceType>> instanceTypes() {
        return get("/v2/instance-types", Map.of(), new TypeReference<List<InstanceType>>() { });
    }

    /** {@code GET /v2/spot/availability}: one row per (instance type, region) with the current spot price. */
    public Uni<List<Auction>> spotAvailability() {
        return get("/v2/spot/availability", Map.of(), new TypeReference<List<Auction>>() { });
    }

    /** {@code GET /v2/pricing/current}; {@code region} may be null, {@code quantity} 1..256. */
    public Uni<CurrentPrices> currentPrices(String instanceType, String region, int quantity) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("instance_type", Objects.requireNonNull(instanceType, "instanceType"));
        if (region != null) {
            q.put("region", region);
        }
        q.put("instance_quantity", Integer.toString(quantity));
        return get("/v2/pricing/current", q, new TypeReference<CurrentPrices>() { });
    }

    // ---------------------------------------------------------------------------------------------- bids

    /** One page of {@code GET /v2/spot/bids}: one HTTP call (plus retries). */
    public Uni<Page<Bid>> listBidsPage(BidQuery query) {
        return get(BIDS, query.toParams(), new TypeReference<DataPage<Bid>>() { }).map(DataPage::toPage);
    }

    /** Every bid matching {@code query}, following {@code next_cursor} page by page as the subscriber requests. */
    public Multi<Bid> listBids(BidQuery query) {
        return paged(cursor -> listBidsPage(query.withNextCursor(cursor)), query.nextCursor());
    }

    /** The live (not {@code Terminated}) bid called {@code name} in {@code project}, if any. */
    public Uni<Optional<Bid>> findBidByName(String project, String name) {
        return listBids(BidQuery.inProject(project).withName(name).withLimit(100))
                // filter again: a server that ignores the name filter must not make us adopt someone else's bid
                .select().where(b -> name.equals(b.name()) && b.status() != BidStatus.TERMINATED)
                .toUni().map(Optional::ofNullable);
    }

    /** {@code GET /v2/spot/bids/{fid}}. */
    public Uni<Bid> getBid(String bidFid) {
        return get(BIDS + "/" + enc(bidFid), Map.of(), new TypeReference<Bid>() { });
    }

    /**
     * {@code POST /v2/spot/bids}, idempotent by {@code request.name()}: after a failure without a clear answer
     * (429, 5xx, timeout, connection lost) the client backs off, then looks for a live bid of that name in the
     * project and returns it if found; only when there is none does it post again. If even the look-up fails it
     * gives up with {@link OutcomeUnknownException} rather than risk a second bid. Give every task its own name.
     */
    public Uni<Bid> createBid(CreateBidRequest request) {
        Uni<Bid> once = send(new Call(HttpMethod.POST, BIDS, Map.of(), request, false))
                .map(r -> read(r, new TypeReference<Bid>() { }));
        return idempotentCreate(once, "POST " + BIDS + " name=" + request.name(),
                () -> findBidByName(request.project(), request.name()));
    }

    /** {@code PATCH /v2/spot/bids/{fid}}: limit price, pause/resume, volumes, memory. */
    public Uni<Bid> updateBid(String bidFid, UpdateBidRequest update) {
        return call(new Call(HttpMethod.PATCH, BIDS + "/" + enc(bidFid), Map.of(), update, true),
                new TypeReference<Bid>() { });
    }

    public Uni<Bid> pauseBid(String bidFid) {
        return updateBid(bidFid, UpdateBidRequest.pause());
    }

    public Uni<Bid> resumeBid(String bidFid) {
        return updateBid(bidFid, UpdateBidRequest.resume());
    }

    /**
     * {@code DELETE /v2/spot/bids/{fid}} (cancel). A retried DELETE that finds the bid gone counts as done: the
     * earlier attempt whose answer was lost did the work.
     */
    public Uni<Void> cancelBid(String bidFid) {
        return call(new Call(HttpMethod.DELETE, BIDS + "/" + enc(bidFid), Map.of(), null, true), null)
                .replaceWithVoid();
    }

    /** {@code GET /v2/spot/bids/{fid}/status}; the only place {@code Relocating} shows. */
    public Uni<BidStatusResponse> bidStatus(String bidFid) {
        return get(BIDS + "/" + enc(bidFid) + "/status", Map.of(), new TypeReference<BidStatusResponse>() { });
    }

    /** {@code GET /v2/spot/bids/{fid}/history}. */
    public Uni<BidHistory> bidHistory(String bidFid) {
        return get(BIDS + "/" + enc(bidFid) + "/history", Map.of(), new TypeReference<BidHistory>() { });
    }

    // ---------------------------------------------------------------------------------------------- instances

    /** One page of {@code GET /v2/instances}. */
    public Uni<Page<Instance>> listInstancesPage(InstanceQuery query) {
        return get("/v2/instances", query.toParams(), new TypeReference<DataPage<Instance>>() { })
                .map(DataPage::toPage);
    }

    /** Every instance matching {@code query}, following {@code next_cursor}. */
    public Multi<Instance> listInstances(InstanceQuery query) {
        return paged(cursor -> listInstancesPage(query.withNextCursor(cursor)), query.nextCursor());
    }

    /** {@code GET /v2/instances/{fid}/status}. */
    public Uni<InstanceStatusResponse> instanceStatus(String instanceFid) {
        return get("/v2/instances/" + enc(instanceFid) + "/status", Map.of(),
                new TypeReference<InstanceStatusResponse>() { });
    }

    /** One page of {@code GET /v2/instances/status/history}. */
    public Uni<Page<InstanceStatusHistory>> instanceStatusHistoryPage(HistoryQuery query) {
        return get("/v2/instances/status/history", query.toParams(),
                new TypeReference<InstancesPage<InstanceStatusHistory>>() { }).map(InstancesPage::toPage);
    }

    public Multi<InstanceStatusHistory> instanceStatusHistory(HistoryQuery query) {
        return paged(cursor -> instanceStatusHistoryPage(query.withNextCursor(cursor)), query.nextCursor());
    }

    /** One page of {@code GET /v2/instances/pricing/history}. */
    public Uni<Page<InstancePricingHistory>> instancePricingHistoryPage(HistoryQuery query) {
        return get("/v2/instances/pricing/history", query.toParams(),
                new TypeReference<InstancesPage<InstancePricingHistory>>() { }).map(InstancesPage::toPage);
    }

    public Multi<InstancePricingHistory> instancePricingHistory(HistoryQuery query) {
        return paged(cursor -> instancePricingHistoryPage(query.withNextCursor(cursor)), query.nextCursor());
    }

    // ---------------------------------------------------------------------------------------------- volumes

    /** {@code GET /v2/volumes?project=&region=&include_deleted=}; {@code region} may be null. */
    public Uni<List<Volume>> listVolumes(String project, String region, boolean includeDeleted) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("project", Objects.requireNonNull(project, "project"));
        if (region != null) {
            q.put("region", region);
        }
        if (includeDeleted) {
            q.put("include_deleted", "true");
        }
        return get(VOLUMES, q, new TypeReference<List<Volume>>() { });
    }

    /** The live volume called {@code name} in {@code project} (and {@code region} when given), if any. */
    public Uni<Optional<Volume>> findVolumeByName(String project, String region, String name) {
        return listVolumes(project, region, false).map(all -> all.stream()
                .filter(v -> name.equals(v.name()) && v.deletedAt() == null)
                .findFirst());
    }

    /** {@code POST /v2/volumes}, idempotent by name like {@link #createBid}. */
    public Uni<Volume> createVolume(CreateVolumeRequest request) {
        Uni<Volume> once = send(new Call(HttpMethod.POST, VOLUMES, Map.of(), request, false))
                .map(r -> read(r, new TypeReference<Volume>() { }));
        return idempotentCreate(once, "POST " + VOLUMES + " name=" + request.name(),
                () -> findVolumeByName(request.project(), request.region(), request.name()));
    }

    /** {@code PATCH /v2/volumes/{fid}}: rename. */
    public Uni<Volume> renameVolume(String volumeFid, String newName) {
        return call(new Call(HttpMethod.PATCH, VOLUMES + "/" + enc(volumeFid), Map.of(),
                new UpdateVolumeRequest(newName), true), new TypeReference<Volume>() { });
    }

    /** {@code DELETE /v2/volumes/{fid}}; Mithril refuses while the volume is attached. */
    public Uni<Void> deleteVolume(String volumeFid) {
        return call(new Call(HttpMethod.DELETE, VOLUMES + "/" + enc(volumeFid), Map.of(), null, true), null)
                .replaceWithVoid();
    }

    // ---------------------------------------------------------------------------------------------- ssh keys

    /** {@code GET /v2/ssh-keys?project=}. */
    public Uni<List<SshKey>> listSshKeys(String project) {
        return get("/v2/ssh-keys", Map.of("project", project), new TypeReference<List<SshKey>>() { });
    }

    /** {@code POST /v2/ssh-keys}; not retried (see the class comment). */
    public Uni<CreatedSshKey> createSshKey(CreateSshKeyRequest request) {
        return send(new Call(HttpMethod.POST, "/v2/ssh-keys", Map.of(), request, false))
                .map(r -> read(r, new TypeReference<CreatedSshKey>() { }))
                .onFailure().transform(errors::toPublic);
    }

    /** {@code PATCH /v2/ssh-keys/{fid}} (admins only). */
    public Uni<SshKey> updateSshKey(String sshKeyFid, boolean required) {
        return call(new Call(HttpMethod.PATCH, "/v2/ssh-keys/" + enc(sshKeyFid), Map.of(),
                new UpdateSshKeyRequest(required), true), new TypeReference<SshKey>() { });
    }

    /** {@code DELETE /v2/ssh-keys/{fid}}; refused while an active bid uses the key. */
    public Uni<Void> deleteSshKey(String sshKeyFid) {
        return call(new Call(HttpMethod.DELETE, "/v2/ssh-keys/" + enc(sshKeyFid), Map.of(), null, true), null)
                .replaceWithVoid();
    }

    // ---------------------------------------------------------------------------------------------- machinery

    /** A request to send. {@code safe}: repeating it has no further effect, so it may be retried blindly. */
    private record Call(HttpMethod method, String path, Map<String, String> query, Object body, boolean safe) {
    }

    /** {@code {data, next_cursor}}: bids and instances. */
    private record DataPage<T>(List<T> data, @com.fasterxml.jackson.annotation.JsonProperty("next_cursor") String nextCursor) {
        Page<T> toPage() {
            return new Page<>(data, nextCursor);
        }
    }

    /** {@code {instances, next_cursor}}: the history endpoints. */
    private record InstancesPage<T>(List<T> instances,
                                    @com.fasterxml.jackson.annotation.JsonProperty("next_cursor") String nextCursor) {
        Page<T> toPage() {
            return new Page<>(instances, nextCursor);
        }
    }

    private <T> Uni<T> get(String path, Map<String, String> query, TypeReference<T> type) {
        return call(new Call(HttpMethod.GET, path, query, null, true), type);
    }

    /** A safe call: sent, retried per policy, decoded, failures made public. */
    private <T> Uni<T> call(Call call, TypeReference<T> type) {
        // deferred: the attempt counter belongs to one subscription, a resubscribed Uni starts afresh
        return Uni.createFrom().deferred(() -> {
            AtomicInteger attempts = new AtomicInteger();
            Uni<HttpResponse<Buffer>> attempt = Uni.createFrom().deferred(() -> {
                int n = attempts.incrementAndGet();
                return send(call).onFailure(HttpFailure.class).recoverWithUni(f -> {
                    HttpFailure h = (HttpFailure) f;
                    // a retried DELETE that finds nothing: the attempt whose answer was lost already deleted it
                    if (n > 1 && call.method() == HttpMethod.DELETE && h.status == 404) {
                        return Uni.createFrom().nullItem();
                    }
                    return Uni.createFrom().failure(f);
                });
            });
            return Retries.withRetry(attempt, config.retry(), call.method() + " " + call.path());
        }).map(r -> type == null || r == null ? null : read(r, type))
                .onFailure().transform(errors::toPublic);
    }

    /**
     * The create protocol. The first attempt posts. Every later attempt first looks the resource up by name (after
     * the backoff, so a slow earlier POST has had time to land) and adopts it if an earlier attempt created it;
     * only if there is none does it post again. When the retries run out on an ambiguous failure, one last look-up
     * still adopts a resource created by the final attempt. A failed look-up ends it all with
     * {@link OutcomeUnknownException}: posting blind could make a duplicate.
     */
    private <T> Uni<T> idempotentCreate(Uni<T> post, String what, Supplier<Uni<Optional<T>>> lookup) {
        return Uni.createFrom().deferred(() -> {
            AtomicInteger attempts = new AtomicInteger();
            AtomicReference<Throwable> previous = new AtomicReference<>();
            Uni<T> attempt = Uni.createFrom().deferred(() -> attempts.getAndIncrement() == 0
                            ? post
                            : settle(previous.get()).chain(() -> adoptOr(lookup, what, post)))
                    .onFailure().invoke(previous::set);
            return Retries.withRetry(attempt, config.retry(), what)
                    .onFailure(Retries::isRetryable)
                    .recoverWithUni(last -> settle(last).chain(() ->
                            adoptOr(lookup, what, Uni.createFrom().failure(last))));
        }).onFailure().transform(errors::toPublic);
    }

    /**
     * After a timeout the POST may still be in flight on the server: wait one more request timeout before looking,
     * so that it has landed (and is adopted) rather than being duplicated by the next POST.
     */
    private Uni<Void> settle(Throwable previousFailure) {
        if (previousFailure instanceof java.util.concurrent.TimeoutException) {
            return Uni.createFrom().voidItem().onItem().delayIt().by(config.requestTimeout());
        }
        return Uni.createFrom().voidItem();
    }

    private <T> Uni<T> adoptOr(Supplier<Uni<Optional<T>>> lookup, String what, Uni<T> otherwise) {
        return lookup.get()
                .onFailure().transform(lookupFailure -> new OutcomeUnknownException("Mithril " + what
                        + ": an earlier attempt failed without a clear answer and the look-up by name failed too;"
                        + " not posting again to avoid a duplicate", errors.toPublic(lookupFailure)))
                .onItem().transformToUni(found -> {
                    if (found.isPresent()) {
                        LOG.log(Level.INFO, "Mithril {0}: an earlier attempt had created it; adopting it", what);
                        return Uni.createFrom().item(found.get());
                    }
                    return otherwise;
                });
    }

    /** One HTTP exchange; a non-2xx answer fails with {@link HttpFailure}. Lazy: each subscription sends anew. */
    private Uni<HttpResponse<Buffer>> send(Call call) {
        return Uni.createFrom().deferred(() -> {
            String requestId = UUID.randomUUID().toString();
            HttpRequest<Buffer> request = web.requestAbs(call.method(), config.apiUrl() + call.path())
                    .timeout(config.requestTimeout().toMillis())
                    .putHeader("Authorization", "Bearer " + config.apiKey())
                    .putHeader("X-Client-Request-Id", requestId)
                    .putHeader("Accept", "application/json");
            call.query().forEach(request::addQueryParam);
            long start = System.nanoTime();
            // Only method, path and id are logged: headers hold the key, bodies hold startup scripts (env values).
            LOG.log(Level.DEBUG, "-> {0} {1} [{2}] Authorization: <redacted>", call.method(), call.path(), requestId);
            Uni<HttpResponse<Buffer>> sent;
            if (call.body() == null) {
                sent = request.send();
            } else {
                request.putHeader("Content-Type", "application/json");
                sent = request.sendBuffer(Buffer.buffer(write(call.body())));
            }
            return sent.onItem().transformToUni(response -> {
                long ms = (System.nanoTime() - start) / 1_000_000;
                LOG.log(Level.DEBUG, "<- {0} {1} {2} in {3} ms [{4}]", call.method(), call.path(),
                        response.statusCode(), ms, requestId);
                if (response.statusCode() >= 200 && response.statusCode() < 300) {
                    return Uni.createFrom().item(response);
                }
                return Uni.createFrom().failure(new HttpFailure(response.statusCode(), call.method().name(),
                        call.path(), response.bodyAsString(),
                        Retries.parseRetryAfter(response.getHeader("Retry-After"), Instant::now), requestId));
            }).onFailure(t -> !(t instanceof HttpFailure)).invoke(t -> LOG.log(Level.DEBUG,
                    "<- {0} {1} failed after {2} ms [{3}]: {4}", call.method(), call.path(),
                    (System.nanoTime() - start) / 1_000_000, requestId, t.getClass().getSimpleName()));
        });
    }

    /**
     * Follows {@code next_cursor}: the first page starts at {@code firstCursor} (usually null), each next page is
     * fetched only when the previous one is consumed, and the stream ends after the page without a cursor.
     */
    private static <T> Multi<T> paged(Function<String, Uni<Page<T>>> fetch, String firstCursor) {
        return Multi.createBy().repeating()
                .uni(() -> new AtomicReference<>(firstCursor),
                        cursor -> fetch.apply(cursor.get()).invoke(page -> cursor.set(page.nextCursor())))
                .whilst(Page::hasNext)
                .onItem().transformToIterable(Page::data);
    }

    private <T> T read(HttpResponse<Buffer> response, TypeReference<T> type) {
        try {
            JavaType javaType = json.getTypeFactory().constructType(type);
            Buffer body = response.body();
            return json.readValue(body == null ? new byte[0] : body.getBytes(), javaType);
        } catch (IOException e) {
            // the parser's message may quote body values (a private key, say): report only where it broke
            String where = e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? m.getPathReference() : "";
            throw new MithrilApiException(response.statusCode(), "", "",
                    "unreadable response body (" + e.getClass().getSimpleName() + " at " + where + ")",
                    response.getHeader("x-request-id"), null);
        }
    }

    private byte[] write(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // never include the body: it may carry a startup script with env values
            throw new IllegalArgumentException("cannot serialise " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static String enc(String pathSegment) {
        Objects.requireNonNull(pathSegment, "fid");
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
