package dev.flow.mithril.client.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code QuotaModel} of {@code GET /v2/quotas}; {@code units} is e.g. "instances" or "GB". */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Quota(String fid, String project, String instanceType, String productType, long totalQuantity,
                    long usedQuantity, String units, String name) {

    public long remaining() {
        return Math.max(0, totalQuantity - usedQuantity);
    }
}
