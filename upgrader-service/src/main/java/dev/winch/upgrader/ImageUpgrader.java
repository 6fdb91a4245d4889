package dev.winch.upgrader;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.upgrader.kubernetes.Workload;
import dev.winch.upgrader.kubernetes.Workloads;
import dev.winch.upgrader.model.Rollout;
import dev.winch.upgrader.model.UpgradePlan;
import dev.winch.upgrader.model.UpgradeRequest;
import dev.winch.upgrader.model.UpgradeResults;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Applies a checked push to one workload: the plan, made from the workload as read (and again after a conflict),
 * decides; {@link Workloads#upgrade} writes the new images, the update strategy and the event id in one update
 * conditional on the resourceVersion. Blocking: runs on the worker pool.
 *
 * <p>What the API server says about the request itself (the workload is gone, the change is invalid) becomes a
 * failed result; what says it could not be asked (unreachable, 5xx, 401/403) is thrown, and so are conflicts that do
 * not stop, so the consumer retries the event later. A retried event finds its id on the workloads it already
 * changed.
 */
final class ImageUpgrader {

    /** What happened to one workload: the result to publish, and the rollout to follow when one started. */
    record WorkloadOutcome(ActionResult result, Rollout rollout) {
    }

    /** Every write of a workload met a newer version of it; the consumer retries the event with backoff. */
    static final class ConflictingWritesException extends RuntimeException {
        ConflictingWritesException(String message) {
            super(message);
        }
    }

    private final Workloads workloads;
    private final Clock clock;

    ImageUpgrader(Workloads workloads, Clock clock) {
        this.workloads = workloads;
        this.clock = clock;
    }

    /** The seed 001 style: the push names its workload. */
    WorkloadOutcome upgrade(UpgradeRequest request, String causeType, WorkloadRef ref, Instant started) {
        Optional<Workload> found = workloads.get(ref);
        if (found.isEmpty()) {
            return new WorkloadOutcome(UpgradeResults.forPush(request.eventId(), causeType, request.push(),
                    Outcome.FAILED, ref.key() + " does not exist; nothing changed", started, clock.instant()), null);
        }
        return upgrade(request, causeType, found.get(), started);
    }

    /** One workload as listed or read. */
    WorkloadOutcome upgrade(UpgradeRequest request, String causeType, Workload read, Instant started) {
        WorkloadRef ref = read.ref();
        UpdateResult<Workload, UpgradePlan> update = workloads.upgrade(read,
                snapshot -> UpgradePlan.plan(request, snapshot), request.eventId(), clock);
        UpgradePlan plan = update.decision();
        if (update instanceof UpdateResult.Written<Workload, UpgradePlan> written) {
            Instant now = clock.instant();
            Workload after = written.object();
            Rollout rollout = new Rollout(request.eventId(), causeType, request.push().receiverId(), ref,
                    after.generation(), after.template(), plan.changes(), plan.restart(), now,
                    now.plus(request.rolloutTimeout()), request.rollbackOnFailure());
            return new WorkloadOutcome(result(request, causeType, plan, Outcome.APPLIED, plan.reason(),
                    after.generation(), started), rollout);
        }
        if (update instanceof UpdateResult.Unchanged) {
            Outcome outcome = switch (plan.decision()) {
                case DUPLICATE -> Outcome.DUPLICATE;
                case SKIP -> Outcome.SKIPPED;
                case NOOP -> Outcome.NOOP;
                case FAIL -> Outcome.FAILED;
                case APPLY -> throw new IllegalStateException("a plan to apply is written, not left unchanged");
            };
            return new WorkloadOutcome(result(request, causeType, plan, outcome, plan.reason(), null, started), null);
        }
        if (update instanceof UpdateResult.Gone) {
            return new WorkloadOutcome(result(request, causeType, plan, Outcome.FAILED,
                    ref.key() + " was deleted while it was being upgraded; nothing changed", null, started), null);
        }
        if (update instanceof UpdateResult.Rejected<Workload, UpgradePlan> rejected) {
            return new WorkloadOutcome(result(request, causeType, plan, Outcome.FAILED,
                    "the API server refused the update of " + ref.key() + " (" + rejected.status() + "): "
                            + rejected.message() + "; nothing changed", null, started), null);
        }
        throw new ConflictingWritesException(ref.key() + " changed under " + update.attempts()
                + " writes in a row; leaving it to a retry");
    }

    private ActionResult result(UpgradeRequest request, String causeType, UpgradePlan plan, Outcome outcome,
            String reason, Long generation, Instant started) {
        return UpgradeResults.forPlan(request.eventId(), causeType, request.push(), plan, outcome, reason,
                generation, started, clock.instant());
    }
}
