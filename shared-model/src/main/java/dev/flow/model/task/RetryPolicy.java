package dev.flow.model.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Platform extension (not in the seed): what to do when Mithril preempts the task.
 *
 * @param onPreemption resubmit a new bid when the task is preempted (default false: like the SDK, preemption only
 *                     shows as {@code preempting})
 * @param maxRestarts  how many resubmissions at most (default 3)
 */
public record RetryPolicy(
        @JsonProperty("on_preemption") boolean onPreemption,
        @JsonProperty("max_restarts")
        @Min(value = 0, message = "must be 0 or more") @Max(value = 100, message = "must be at most 100")
        int maxRestarts) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(false, 3);

    /** JSON creator: an absent field takes its default. */
    @JsonCreator
    public static RetryPolicy of(@JsonProperty("on_preemption") Boolean onPreemption,
                                 @JsonProperty("max_restarts") Integer maxRestarts) {
        return new RetryPolicy(onPreemption != null ? onPreemption : DEFAULT.onPreemption(),
                maxRestarts != null ? maxRestarts : DEFAULT.maxRestarts());
    }
}
