package dev.flow.mithril.client.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Filters of {@code GET /v2/instances}; {@code project} is required by Mithril. */
public record InstanceQuery(String project, String instanceType, String region, Set<InstanceStatus> statusIn,
                            Set<String> orderTypeIn, List<String> bidFidIn, List<String> reservationFidIn,
                            Integer limit, String sortBy, SortDirection sortDir, String nextCursor) {

    public InstanceQuery {
        Objects.requireNonNull(project, "project");
        statusIn = statusIn == null ? Set.of() : Set.copyOf(statusIn);
        orderTypeIn = orderTypeIn == null ? Set.of() : Set.copyOf(orderTypeIn);
        bidFidIn = bidFidIn == null ? List.of() : List.copyOf(bidFidIn);
        reservationFidIn = reservationFidIn == null ? List.of() : List.copyOf(reservationFidIn);
    }

    public static InstanceQuery inProject(String project) {
        return new InstanceQuery(project, null, null, null, null, null, null, null, null, null, null);
    }

    public InstanceQuery withInstanceType(String v) {
        return new InstanceQuery(project, v, region, statusIn, orderTypeIn, bidFidIn, reservationFidIn, limit, sortBy, sortDir, nextCursor);
    }

    public InstanceQuery withRegion(String v) {
        return new InstanceQuery(project, instanceType, v, statusIn, orderTypeIn, bidFidIn, reservationFidIn, limit, sortBy, sortDir, nextCursor);
    }

    public InstanceQuery withStatusIn(Set<InstanceStatus> v) {
        return new InstanceQuery(project, instanceType, region, v, orderTypeIn, bidFidIn, reservationFidIn, limit, sortBy, sortDir, nextCursor);
    }

    /** {@code Bid} and/or {@code Reservation}. */
    public InstanceQuery withOrderTypeIn(Set<String> v) {
        return new InstanceQuery(project, instanceType, region, statusIn, v, bidFidIn, reservationFidIn, limit, sortBy, sortDir, nextCursor);
    }

    public InstanceQuery withBidFidIn(List<String> v) {
        return new InstanceQuery(project, instanceType, region, statusIn, orderTypeIn, v, reservationFidIn, limit, sortBy, sortDir, nextCursor);
    }

    public InstanceQuery withReservationFidIn(List<String> v) {
        return new InstanceQuery(project, instanceType, region, statusIn, orderTypeIn, bidFidIn, v, limit, sortBy, sortDir, nextCursor);
    }

    public InstanceQuery withLimit(Integer v) {
        return new InstanceQuery(project, instanceType, region, statusIn, orderTypeIn, bidFidIn, reservationFidIn, v, sortBy, sortDir, nextCursor);
    }

    /** {@code created_at}, {@code instance_status} or {@code instance_type_fid}. */
    public InstanceQuery withSort(String by, SortDirection dir) {
        return new InstanceQuery(project, instanceType, region, statusIn, orderTypeIn, bidFidIn, reservationFidIn, limit, by, dir, nextCursor);
    }

    public InstanceQuery withNextCursor(String v) {
        return new InstanceQuery(project, instanceType, region, statusIn, orderTypeIn, bidFidIn, reservationFidIn, limit, sortBy, sortDir, v);
    }

    public Map<String, String> toParams() {
        Map<String, String> p = new LinkedHashMap<>();
        Params.put(p, "project", project);
        Params.put(p, "instance_type", instanceType);
        Params.put(p, "region", region);
        Params.putCsv(p, "status_in", statusIn.stream().map(Enum::name).sorted().toList());
        Params.putCsv(p, "order_type_in", orderTypeIn.stream().sorted().toList());
        Params.putCsv(p, "bid_fid_in", bidFidIn);
        Params.putCsv(p, "reservation_fid_in", reservationFidIn);
        Params.put(p, "limit", limit);
        Params.put(p, "sort_by", sortBy);
        Params.put(p, "sort_dir", sortDir == null ? null : sortDir.wire());
        Params.put(p, "next_cursor", nextCursor);
        return p;
    }
}
