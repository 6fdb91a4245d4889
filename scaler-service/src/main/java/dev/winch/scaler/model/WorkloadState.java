package dev.winch.scaler.model;

import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.AppliedOffsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a plan needs to know about a workload, read from the workload itself: its replica count and what Winch
 * recorded on it. Keeping the record on the object (not in the service) is what makes the scaler stateless: any
 * replica of it, after any restart, sees the same history.
 *
 * @param replicas        {@code spec.replicas} now
 * @param appliedEventIds the ids of the last events decided on this workload ({@link AppliedEvents#ANNOTATION})
 * @param appliedOffsets  per entry ({@code topic/partition}, for selectors followed by the selector), the highest
 *                        offset decided on this workload ({@link AppliedOffsets#ANNOTATION})
 * @param lastScaledAt    when Winch last changed its replica count ({@link #LAST_SCALED_AT}), for cooldowns
 */
public record WorkloadState(int replicas, List<String> appliedEventIds, Map<String, Long> appliedOffsets,
        Optional<Instant> lastScaledAt) {

    /** When Winch last changed the replica count, ISO-8601; the cooldown of every receiver is measured from it. */
    public static final String LAST_SCALED_AT = "winch.dev/last-scaled-at";
    /** The receiver whose request made that change; for people reading the object. */
    public static final String LAST_SCALED_BY = "winch.dev/last-scaled-by";

    public WorkloadState {
        appliedEventIds = List.copyOf(appliedEventIds);
        appliedOffsets = Map.copyOf(appliedOffsets);
    }

    /**
     * Reads the state from the workload's replicas and annotations. A timestamp someone edited into something
     * unreadable counts as "never scaled": a cooldown must not block a workload forever.
     */
    public static WorkloadState of(int replicas, Map<String, String> annotations) {
        Map<String, String> present = annotations == null ? Map.of() : annotations;
        return new WorkloadState(replicas, AppliedEvents.ids(present), AppliedOffsets.read(present),
                parse(present.get(LAST_SCALED_AT)));
    }

    private static Optional<Instant> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.trim()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
