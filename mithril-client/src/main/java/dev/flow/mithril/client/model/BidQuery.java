package dev.flow.mithril.client.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filters of {@code GET /v2/spot/bids}. All optional: no project means all the user's projects.
 * Immutable; build with {@link #all()} and the {@code with...} methods.
 */
public record BidQuery(String project, String instanceType, String region, BidStatus status, String name,
                       Integer limit, String sortBy, SortDirection sortDir, String nextCursor) {

    public static BidQuery all() {
        return new BidQuery(null, null, null, null, null, null, null, null, null);
    }

    public static BidQuery inProject(String project) {
        return all().withProject(project);
    }

    public BidQuery withProject(String v) {
        return new BidQuery(v, instanceType, region, status, name, limit, sortBy, sortDir, nextCursor);
    }

    public BidQuery withInstanceType(String v) {
        return new BidQuery(project, v, region, status, name, limit, sortBy, sortDir, nextCursor);
    }

    public BidQuery withRegion(String v) {
        return new BidQuery(project, instanceType, v, status, name, limit, sortBy, sortDir, nextCursor);
    }

    public BidQuery withStatus(BidStatus v) {
        return new BidQuery(project, instanceType, region, v, name, limit, sortBy, sortDir, nextCursor);
    }

    public BidQuery withName(String v) {
        return new BidQuery(project, instanceType, region, status, v, limit, sortBy, sortDir, nextCursor);
    }

    /** Page size, 1..100. */
    public BidQuery withLimit(Integer v) {
        return new BidQuery(project, instanceType, region, status, name, v, sortBy, sortDir, nextCursor);
    }

    /** {@code created_at} or {@code status}. */
    public BidQuery withSort(String by, SortDirection dir) {
        return new BidQuery(project, instanceType, region, status, name, limit, by, dir, nextCursor);
    }

    public BidQuery withNextCursor(String v) {
        return new BidQuery(project, instanceType, region, status, name, limit, sortBy, sortDir, v);
    }

    /** The query parameters, absent ones left out. */
    public Map<String, String> toParams() {
        Map<String, String> p = new LinkedHashMap<>();
        Params.put(p, "project", project);
        Params.put(p, "instance_type", instanceType);
        Params.put(p, "region", region);
        Params.put(p, "status", status == null ? null : status.wire());
        Params.put(p, "name", name);
        Params.put(p, "limit", limit);
        Params.put(p, "sort_by", sortBy);
        Params.put(p, "sort_dir", sortDir == null ? null : sortDir.wire());
        Params.put(p, "next_cursor", nextCursor);
        return p;
    }
}
