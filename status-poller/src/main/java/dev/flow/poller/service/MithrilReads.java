package dev.flow.poller.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.flow.mithril.client.MithrilClient;
import dev.flow.mithril.client.model.Bid;
import dev.flow.mithril.client.model.BidQuery;
import dev.flow.mithril.client.model.HistoryQuery;
import dev.flow.mithril.client.model.Instance;
import dev.flow.mithril.client.model.InstanceQuery;
import dev.flow.mithril.client.model.InstanceStatusHistory;
import dev.flow.mithril.client.model.Page;
import dev.flow.mithril.client.model.SortDirection;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.poller.config.PollerConfig;
import dev.flow.poller.domain.TaskView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The poller's reads of Mithril, each page one counted call of the cycle: projects, bids, instances, the instance
 * status history. Only reads: the poller never changes anything at Mithril.
 */
@ApplicationScoped
public class MithrilReads {

    /** Independent queries (chunks of bid fids, single bids, per-bid history) in flight at once. */
    private static final int CONCURRENCY = 4;

    private final MithrilClient mithril;
    private final PollerConfig config;
    private final Map<String, String> projectFids = new ConcurrentHashMap<>();
    /** Pages of each project's instance status history at its last reading (to choose per-bid calls). */
    private final Map<String, Integer> historyPages = new ConcurrentHashMap<>();

    public MithrilReads(MithrilClient mithril, PollerConfig config) {
        this.mithril = mithril;
        this.config = config;
    }

    MithrilClient client() {
        return mithril;
    }

    /** A project name (as events carry it) to its fid; cached, refreshed when a name is not known yet. */
    Uni<String> projectFid(String project, Cycle cycle) {
        if (project.startsWith("proj_")) {
            return Uni.createFrom().item(project);
        }
        String known = projectFids.get(project);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        return cycle.call(mithril.projects()).map(list -> {
            list.forEach(p -> projectFids.put(p.name(), p.fid()));
            return Optional.ofNullable(projectFids.get(project))
                    .orElseThrow(() -> new ResourceNotFoundError("Mithril project " + project + " is not visible"));
        });
    }

    /**
     * The project's bids, newest first, page by page only until every task's bid was seen: the terminated bids of
     * long-finished tasks pile up at the end of the list and are never paged through.
     *
     * @param pagesRead counts the pages read (the delta cycles' estimate of what paging costs)
     */
    Uni<List<Bid>> bidPages(String projectFid, List<TaskView> tasks, Cycle cycle, AtomicInteger pagesRead) {
        Set<String> wantedFids = new HashSet<>();
        Set<String> wantedNames = new HashSet<>();
        for (TaskView t : tasks) {
            if (t.bidFid() != null) {
                wantedFids.add(t.bidFid());
            } else {
                wantedNames.add(t.bidName());
            }
        }
        Predicate<List<Bid>> allFound = seen -> {
            Set<String> fids = new HashSet<>();
            Set<String> names = new HashSet<>();
            seen.forEach(b -> {
                fids.add(b.fid());
                names.add(b.name());
            });
            return fids.containsAll(wantedFids) && names.containsAll(wantedNames);
        };
        BidQuery query = BidQuery.inProject(projectFid).withSort("created_at", SortDirection.DESC)
                .withLimit(config.pageSize());
        return pages(query, q -> {
            pagesRead.incrementAndGet();
            return cycle.call(mithril.listBidsPage(q));
        }, BidQuery::withNextCursor, allFound);
    }

    /**
     * The bids of a few tasks, one call each: {@code GET /v2/spot/bids/{fid}}, or the newest bid of the task's name
     * while its BidPlaced has not arrived. A bid Mithril no longer knows is left out.
     */
    Uni<List<Bid>> bidsOneByOne(String projectFid, List<TaskView> tasks, Cycle cycle) {
        return Multi.createFrom().iterable(tasks)
                .onItem().transformToUni(t -> t.bidFid() != null
                        // a 404 is an answer (the bid is gone), not a failing Mithril
                        ? cycle.call(mithril.getBid(t.bidFid()).map(Optional::of)
                                .onFailure(ResourceNotFoundError.class).recoverWithItem(Optional.empty()))
                        : cycle.call(mithril.listBidsPage(BidQuery.inProject(projectFid).withName(t.bidName())
                                        .withSort("created_at", SortDirection.DESC).withLimit(1)))
                                .map(page -> page.data().stream().findFirst()))
                .merge(CONCURRENCY)
                .collect().asList()
                .map(found -> found.stream().flatMap(Optional::stream).toList());
    }

    /** Every instance (all allocations) of these bids: {@code GET /v2/instances?bid_fid_in=}, in chunks, paged. */
    Uni<List<Instance>> instances(String projectFid, List<String> bidFids, Cycle cycle) {
        if (bidFids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int chunk = Math.max(1, config.bidFidsPerInstanceQuery());
        List<List<String>> chunks = new ArrayList<>();
        for (int k = 0; k < bidFids.size(); k += chunk) {
            chunks.add(bidFids.subList(k, Math.min(bidFids.size(), k + chunk)));
        }
        // independent queries: a few at once shorten the cycle without flooding Mithril
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUni(fids -> pages(
                        InstanceQuery.inProject(projectFid).withBidFidIn(fids).withLimit(config.pageSize()),
                        q -> cycle.call(mithril.listInstancesPage(q)), InstanceQuery::withNextCursor, all -> false))
                .merge(CONCURRENCY)
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    /**
     * What changed in the project since {@code since}: {@code GET /v2/instances/status/history?project=&start_time=},
     * every page. Mithril lists the instances that have status events in the window, with those events.
     */
    Uni<List<InstanceStatusHistory>> changesSince(String projectFid, Instant since, Cycle cycle) {
        HistoryQuery query = HistoryQuery.forProject(projectFid).withWindow(since, null).withLimit(config.pageSize());
        return pages(query, q -> cycle.call(mithril.instanceStatusHistoryPage(q)), HistoryQuery::withNextCursor,
                all -> false);
    }

    /**
     * The status history of the changed bids' instances since {@code since}, by instance fid, to date the changes.
     * Mithril filters the history by project or by one bid, not by a set of bids: so a few changed bids are asked one
     * call each ({@code bid_fid=}, a few at once), many the project's pages, whichever is fewer calls. The project's
     * page count is estimated from its last reading and the instances listed this cycle.
     */
    Uni<Map<String, List<InstanceStatusHistory.Event>>> history(String projectFid, List<String> changedBids,
                                                                int listedInstances, Instant since, Cycle cycle) {
        if (changedBids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        int pageSize = config.pageSize();
        int projectPages = Math.max(historyPages.getOrDefault(projectFid, 1),
                (listedInstances + pageSize - 1) / pageSize);
        Uni<List<InstanceStatusHistory>> read;
        if (changedBids.size() < projectPages) {
            read = Multi.createFrom().iterable(changedBids)
                    .onItem().transformToUni(bid -> pages(
                            HistoryQuery.forBid(projectFid, bid).withWindow(since, null).withLimit(pageSize),
                            q -> cycle.call(mithril.instanceStatusHistoryPage(q)), HistoryQuery::withNextCursor,
                            all -> false))
                    .merge(CONCURRENCY)
                    .collect().asList()
                    .map(lists -> lists.stream().flatMap(List::stream).toList());
        } else {
            AtomicInteger pagesRead = new AtomicInteger();
            HistoryQuery query = HistoryQuery.forProject(projectFid).withWindow(since, null).withLimit(pageSize);
            read = pages(query, q -> {
                pagesRead.incrementAndGet();
                return cycle.call(mithril.instanceStatusHistoryPage(q));
            }, HistoryQuery::withNextCursor, all -> false)
                    .invoke(() -> historyPages.put(projectFid, pagesRead.get()));
        }
        return read.map(MithrilReads::byInstance);
    }

    static Map<String, List<InstanceStatusHistory.Event>> byInstance(List<InstanceStatusHistory> list) {
        Map<String, List<InstanceStatusHistory.Event>> byInstance = new HashMap<>();
        for (InstanceStatusHistory h : list) {
            byInstance.put(h.instanceFid(), h.events());
        }
        return byInstance;
    }

    /** Follows {@code next_cursor} page by page, until the last page or {@code enough}; each page is one call. */
    private static <Q, T> Uni<List<T>> pages(Q query, Function<Q, Uni<Page<T>>> fetch, BiFunction<Q, String, Q> next,
                                            Predicate<List<T>> enough) {
        return fetchFrom(query, fetch, next, enough, new ArrayList<>());
    }

    private static <Q, T> Uni<List<T>> fetchFrom(Q query, Function<Q, Uni<Page<T>>> fetch,
                                                BiFunction<Q, String, Q> next, Predicate<List<T>> enough,
                                                List<T> all) {
        return fetch.apply(query).chain(page -> {
            all.addAll(page.data());
            return page.hasNext() && !enough.test(all)
                    ? fetchFrom(next.apply(query, page.nextCursor()), fetch, next, enough, all)
                    : Uni.createFrom().item(all);
        });
    }
}
