package dev.winch.scaler.model;

import dev.winch.common.event.Event;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.AppliedOffsets;
import dev.winch.scaler.model.ScaleStep.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The replica count a run of scale requests for one workload leads to, computed without I/O from the workload's
 * state and the time.
 *
 * <p>A burst (Alertmanager firing for many pods) becomes one plan and so one Kubernetes write. The plan is a fold:
 * the requests are applied one at a time, in order, each within its own bounds and its receiver's cooldown, so the
 * result is by construction the same as handling them one by one at this instant. Each request keeps its own
 * {@link ScaleStep} (from, to, clamped, why), which becomes its own result.
 *
 * <p>Rules, per request:
 * <ol>
 *   <li>a record at or below the offset recorded on the workload for its partition (and, for a selector, its
 *       selector) was decided before: it is a redelivery and a {@code DUPLICATE};</li>
 *   <li>an id already recorded on the workload, or recorded earlier in the run, is a {@code DUPLICATE} (the same
 *       event published again as a new record);</li>
 *   <li>an unusable request (amount below 1, negative min, max below min) is {@code INVALID} and changes nothing;</li>
 *   <li>with a cooldown of N seconds, a request less than N seconds after the last change Winch made to the
 *       workload (by any receiver: an "up" right after a "down" is the flapping a cooldown is for) is skipped;</li>
 *   <li>otherwise up/down by {@code amount}, never above {@code max} nor below {@code min}: a step that would pass
 *       a bound stops at it ({@code CLAMPED}); one already at the bound it goes towards is {@code AT_BOUND}. A
 *       workload outside the bounds (someone scaled it by hand) is never pushed further out, and a request going
 *       back towards the bounds brings it at most to the nearer bound.</li>
 * </ol>
 *
 * @param target    the workload, {@code namespace/kind/name}, for the reasons
 * @param from      replicas before the plan
 * @param to        replicas after it
 * @param steps     one per request, in order
 * @param scaledAt  when the replica count last changed, if the plan changes it at some step (the new cooldown start)
 * @param scaledBy  the receiver of the last step that changed it
 * @param offsets   per offset entry ({@link #offsetEntry}), the highest offset of the run's requests: written with
 *                  the plan, it makes every request of the run a duplicate when its record comes again
 */
public record ScalePlan(String target, int from, int to, List<ScaleStep> steps, Optional<Instant> scaledAt,
        Optional<String> scaledBy, Map<String, Long> offsets) {

    public ScalePlan {
        Objects.requireNonNull(target, "target");
        steps = List.copyOf(steps);
        Objects.requireNonNull(scaledAt, "scaledAt");
        Objects.requireNonNull(scaledBy, "scaledBy");
        offsets = Map.copyOf(offsets);
    }

    /**
     * Folds {@code requests} (in partition order) over the workload's {@code state} at {@code now}, without knowing
     * where they were read: only their ids tell a repeat.
     */
    public static ScalePlan fold(String target, WorkloadState state, List<Event<ServiceScaleRequested>> requests,
            Instant now) {
        return fold(target, state, requests, List.of(), now);
    }

    /**
     * Folds {@code requests} (in partition order) over the workload's {@code state} at {@code now};
     * {@code positions.get(i)} is where request i was read, or {@code positions} is empty when that is not known.
     */
    public static ScalePlan fold(String target, WorkloadState state, List<Event<ServiceScaleRequested>> requests,
            List<RecordPosition> positions, Instant now) {
        if (!positions.isEmpty() && positions.size() != requests.size()) {
            throw new IllegalArgumentException(positions.size() + " positions for " + requests.size() + " requests");
        }
        // The ids on the workload plus those this plan records so far: a repeat inside the run is a duplicate too.
        Set<String> recorded = new HashSet<>(state.appliedEventIds());
        Map<String, Long> offsets = new TreeMap<>();
        int replicas = state.replicas();
        Optional<Instant> lastScaledAt = state.lastScaledAt();
        Optional<Instant> scaledAt = Optional.empty();
        Optional<String> scaledBy = Optional.empty();
        List<ScaleStep> steps = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            Event<ServiceScaleRequested> event = requests.get(i);
            ScaleStep step = null;
            if (!positions.isEmpty()) {
                RecordPosition position = positions.get(i);
                String entry = offsetEntry(position, event.key(), target);
                Long decidedUpTo = state.appliedOffsets().get(entry);
                if (decidedUpTo != null && position.offset() <= decidedUpTo) {
                    step = redelivered(target, event, position, decidedUpTo, replicas);
                }
                // Whatever becomes of a request, its record is decided by this plan: its offset goes with the write.
                offsets.merge(entry, position.offset(), Math::max);
            }
            if (step == null) {
                step = step(target, event, replicas, recorded, lastScaledAt, now);
            }
            if (step.decision().recorded()) {
                recorded.add(event.id());
            }
            if (step.changes()) {
                replicas = step.to();
                lastScaledAt = Optional.of(now);
                scaledAt = lastScaledAt;
                scaledBy = Optional.ofNullable(event.data().receiverId());
            }
            steps.add(step);
        }
        return new ScalePlan(target, state.replicas(), replicas, steps, scaledAt, scaledBy, offsets);
    }

    /**
     * The name under which the offsets of {@code position}'s partition are recorded on {@code target}:
     * {@code topic/partition@topicId} for a request naming the workload (the topic id, so offsets of a topic that was
     * deleted and created again, or of another Kafka cluster, never match this one's), followed by the record key
     * for a request that picked it by selector. A partition carries many keys, and two keys of one partition that act on the same
     * workload (its own name and a selector, or two selectors) are folded in separate plans: one of them may have
     * been written while the other failed, so the offset one recorded must not make the other's records look
     * decided.
     */
    public static String offsetEntry(RecordPosition position, String recordKey, String target) {
        return recordKey.equals(target) ? position.partitionEntry() : position.partitionEntry() + " " + recordKey;
    }

    private static ScaleStep redelivered(String target, Event<ServiceScaleRequested> event, RecordPosition position,
            long decidedUpTo, int current) {
        return new ScaleStep(event.id(), event.data().receiverId(), Decision.DUPLICATE, current, current,
                "event " + event.id() + " (record " + position + ") was already decided on " + target
                        + ", which records offsets up to " + decidedUpTo + " of " + position.topicPartition()
                        + "; not applied again", Map.of("offset", String.valueOf(position.offset())));
    }

    private static ScaleStep step(String target, Event<ServiceScaleRequested> event, int current,
            Set<String> recorded, Optional<Instant> lastScaledAt, Instant now) {
        ServiceScaleRequested request = event.data();
        String id = event.id();
        String receiver = request.receiverId();
        if (recorded.contains(id)) {
            return new ScaleStep(id, receiver, Decision.DUPLICATE, current, current,
                    "event " + id + " was already applied to " + target + "; not applied again", Map.of());
        }
        Optional<String> invalid = invalid(request);
        if (invalid.isPresent()) {
            return new ScaleStep(id, receiver, Decision.INVALID, current, current,
                    "invalid scale request: " + invalid.get() + "; " + target + " was not changed", Map.of());
        }
        if (request.cooldownSeconds() > 0 && lastScaledAt.isPresent()) {
            Instant until = lastScaledAt.get().plusSeconds(request.cooldownSeconds());
            if (now.isBefore(until)) {
                return new ScaleStep(id, receiver, Decision.COOLDOWN, current, current,
                        target + " was scaled at " + lastScaledAt.get() + ", within the " + request.cooldownSeconds()
                                + " s cooldown of receiver " + receiver + "; skipped (next scale allowed from "
                                + until + ")",
                        Map.of("lastScaledAt", lastScaledAt.get().toString(), "cooldownUntil", until.toString()));
            }
        }
        return bounded(target, id, request, current);
    }

    private static ScaleStep bounded(String target, String id, ServiceScaleRequested request, int current) {
        boolean up = request.action() == ScaleAction.UP;
        long wanted = up ? (long) current + request.amount() : (long) current - request.amount();
        long inBounds = Math.max(request.min(), Math.min(request.max(), wanted));
        // Never push a workload that is outside the bounds (scaled by hand) further out by going the other way.
        int to = (int) (up ? Math.max(inBounds, current) : Math.min(inBounds, current));
        Map<String, String> details = Map.of("wanted", String.valueOf(wanted));
        String receiver = request.receiverId();
        if (to == current) {
            String where = up
                    ? (current == request.max() ? "the maximum" : "above the maximum " + request.max())
                    : (current == request.min() ? "the minimum" : "below the minimum " + request.min());
            return new ScaleStep(id, receiver, Decision.AT_BOUND, current, current,
                    target + " is already at " + replicas(current) + ", " + where + "; nothing to scale "
                            + (up ? "up" : "down"), details);
        }
        if (to != wanted) {
            String bound = to == request.max() ? "the maximum" : "the minimum";
            return new ScaleStep(id, receiver, Decision.CLAMPED, current, to,
                    "scaled " + target + " from " + current + " to " + to + ", " + bound + " ("
                            + (up ? "up" : "down") + " by " + request.amount() + " would have made " + wanted + ")",
                    details);
        }
        return new ScaleStep(id, receiver, Decision.SCALED, current, to,
                "scaled " + target + " " + (up ? "up" : "down") + " from " + current + " to " + to, details);
    }

    private static Optional<String> invalid(ServiceScaleRequested request) {
        if (request.amount() < 1) {
            return Optional.of("amount must be at least 1, got " + request.amount());
        }
        if (request.min() < 0) {
            return Optional.of("min must not be negative, got " + request.min());
        }
        if (request.max() < request.min()) {
            return Optional.of("max " + request.max() + " is below min " + request.min());
        }
        if (request.cooldownSeconds() < 0) {
            return Optional.of("cooldownSeconds must not be negative, got " + request.cooldownSeconds());
        }
        return Optional.empty();
    }

    private static String replicas(int n) {
        return n + (n == 1 ? " replica" : " replicas");
    }

    /** True when the replica count changes (a run of up and down requests can end where it started). */
    public boolean changesReplicas() {
        return from != to;
    }

    /**
     * The ids this plan writes to the workload, in order: every request whose decision depended on the workload's
     * state (scaled, clamped, at a bound, in cooldown). These are the events "folded" into the write.
     */
    public List<String> recordedEventIds() {
        return steps.stream().filter(s -> s.decision().recorded()).map(ScaleStep::eventId).toList();
    }

    /**
     * Whether the plan must be written. Also when the count does not change: recording a no-op's id keeps a later
     * redelivery of it from acting on a workload whose count has moved since.
     */
    public boolean needsWrite() {
        return !recordedEventIds().isEmpty();
    }

    /**
     * The workload's annotations after the write: {@code current} plus the ids (the newest
     * {@link AppliedEvents#KEEP}), the offsets and, if it scales, the time.
     */
    public Map<String, String> annotations(Map<String, String> current) {
        Map<String, String> next = new HashMap<>(current == null ? Map.of() : current);
        next.put(AppliedEvents.ANNOTATION, AppliedEvents.append(next, recordedEventIds()));
        if (!offsets.isEmpty()) {
            next.put(AppliedOffsets.ANNOTATION, AppliedOffsets.merge(next, offsets));
        }
        scaledAt.ifPresent(at -> {
            next.put(WorkloadState.LAST_SCALED_AT, at.toString());
            scaledBy.ifPresentOrElse(by -> next.put(WorkloadState.LAST_SCALED_BY, by),
                    () -> next.remove(WorkloadState.LAST_SCALED_BY));
        });
        return next;
    }
}
