package dev.winch.scaler.model;

import dev.winch.common.event.Outcome;
import java.util.Map;
import java.util.Objects;

/**
 * What one request did inside a {@link ScalePlan}: the replica count before and after it, as if the requests of
 * the plan had been applied one at a time.
 *
 * @param eventId    the request's event id
 * @param receiverId the receiver that sent it
 * @param decision   what became of it
 * @param from       replicas before this request
 * @param to         replicas after it
 * @param reason     a sentence for people
 * @param details    facts specific to the decision ({@code wanted}, {@code cooldownUntil}, ...)
 */
public record ScaleStep(String eventId, String receiverId, Decision decision, int from, int to, String reason,
        Map<String, String> details) {

    public ScaleStep {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(decision, "decision");
        details = Map.copyOf(details);
    }

    /** What became of a request. */
    public enum Decision {
        /** Scaled by the full amount. */
        SCALED(Outcome.APPLIED, true),
        /** Scaled, but the full amount would have passed a bound, so it stopped at the bound. */
        CLAMPED(Outcome.APPLIED, true),
        /** Already at (or beyond) the bound it goes towards: nothing to do. */
        AT_BOUND(Outcome.NOOP, true),
        /** Its id is already recorded on the workload, or earlier in the same plan. */
        DUPLICATE(Outcome.DUPLICATE, false),
        /** The target was scaled less than the receiver's cooldown ago. */
        COOLDOWN(Outcome.SKIPPED, true),
        /** The request itself is unusable (amount below 1, min above max...). */
        INVALID(Outcome.FAILED, false);

        private final Outcome outcome;
        private final boolean recorded;

        Decision(Outcome outcome, boolean recorded) {
            this.outcome = outcome;
            this.recorded = recorded;
        }

        public Outcome outcome() {
            return outcome;
        }

        /**
         * Whether the event id is written to the workload with the plan. Every decision that depends on the
         * workload's state is recorded, not only the changes: a request that was a no-op at the maximum must not
         * scale the workload when it is redelivered after a later scale-down moved it off the bound.
         */
        public boolean recorded() {
            return recorded;
        }
    }

    public Outcome outcome() {
        return decision.outcome();
    }

    public boolean clamped() {
        return decision == Decision.CLAMPED;
    }

    public boolean changes() {
        return from != to;
    }
}
