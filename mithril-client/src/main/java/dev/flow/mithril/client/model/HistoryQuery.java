package dev.flow.mithril.client.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Filters of {@code GET /v2/instances/status/history} and {@code /v2/instances/pricing/history}:
 * a project (required) and at most one of instance, bid or reservation.
 */
public record HistoryQuery(String project, String instanceFid, String bidFid, String reservationFid, Integer limit,
                           Instant startTime, Instant endTime, String nextCursor) {

    public HistoryQuery {
        Objects.requireNonNull(project, "project");
    }

    public static HistoryQuery forBid(String project, String bidFid) {
        return new HistoryQuery(project, null, bidFid, null, null, null, null, null);
    }

    public static HistoryQuery forInstance(String project, String instanceFid) {
        return new HistoryQuery(project, instanceFid, null, null, null, null, null, null);
    }

    public static HistoryQuery forProject(String project) {
        return new HistoryQuery(project, null, null, null, null, null, null, null);
    }

    public HistoryQuery withLimit(Integer v) {
        return new HistoryQuery(project, instanceFid, bidFid, reservationFid, v, startTime, endTime, nextCursor);
    }

    public HistoryQuery withWindow(Instant start, Instant end) {
        return new HistoryQuery(project, instanceFid, bidFid, reservationFid, limit, start, end, nextCursor);
    }

    public HistoryQuery withNextCursor(String v) {
        return new HistoryQuery(project, instanceFid, bidFid, reservationFid, limit, startTime, endTime, v);
    }

    public Map<String, String> toParams() {
        Map<String, String> p = new LinkedHashMap<>();
        Params.put(p, "project", project);
        Params.put(p, "instance_fid", instanceFid);
        Params.put(p, "bid_fid", bidFid);
        Params.put(p, "reservation_fid", reservationFid);
        Params.put(p, "limit", limit);
        Params.put(p, "start_time", startTime);
        Params.put(p, "end_time", endTime);
        Params.put(p, "next_cursor", nextCursor);
        return p;
    }
}
