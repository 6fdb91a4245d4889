package dev.winch.upgrader;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.WorkloadRef;
import dev.winch.upgrader.kubernetes.WorkloadOperations;
import dev.winch.upgrader.model.Rollout;
import dev.winch.upgrader.model.UpgradePlan;
import dev.winch.upgrader.model.UpgradeRequest;
import dev.winch.upgrader.model.UpgradeResults;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Applies a checked push to one workload: plan from the workload as read, then write the new images, the update
 * strategy and the event id in one update conditional on the resourceVersion; on a conflict read again and plan
 * again. Blocking: runs on the worker pool.
 *
 * <p>What the API server says about the request itself (the workload is gone, the change is invalid) becomes a
 * failed result; what says it could not be asked (unreachable, 5xx, 401/403, conflicts that do not stop) is thrown,
 * so the consumer retries the event later. A retried event finds its id on the workloads it already changed.
 */
final class ImageUpgrader {

    private static final int MAX_CONFLICT_RETRIES = 5;

    /** What happened to one workload: the result to publish, and the rollout to follow when one started. */
    record WorkloadOutcome(ActionResult result, Rollout rollout) {
    }

    private final WorkloadOperations workloads;
    private final Clock clock;

    ImageUpgrader(WorkloadOperations workloads, Clock clock) {
        this.workloads = workloads;
        this.clock = clock;
    }

    /** The seed 001 style: the push names its workload. */
    WorkloadOutcome upgrade(UpgradeRequest request, String causeType, WorkloadRef ref, Instant started) {
        Optional<HasMetadata> found = workloads.get(ref);
        if (found.isEmpty()) {
            return new WorkloadOutcome(UpgradeResults.forPush(request.eventId(), causeType, request.push(),
                    Outcome.FAILED, ref.key() + " does not exist; nothing changed", started, clock.instant()), null);
        }
        return upgrade(request, causeType, found.get(), started);
    }

    /** One workload as listed or read; it is changed in place and written back. */
    WorkloadOutcome upgrade(UpgradeRequest request, String causeType, HasMetadata read, Instant started) {
        HasMetadata workload = read;
        WorkloadRef ref = WorkloadOperations.ref(workload);
        for (int attempt = 1; ; attempt++) {
            UpgradePlan plan = UpgradePlan.plan(request, WorkloadOperations.snapshot(workload));
            Outcome outcome = switch (plan.decision()) {
                case DUPLICATE -> Outcome.DUPLICATE;
                case SKIP -> Outcome.SKIPPED;
                case NOOP -> Outcome.NOOP;
                case FAIL -> Outcome.FAILED;
                case APPLY -> null;
            };
            if (outcome != null) {
                return new WorkloadOutcome(result(request, causeType, plan, outcome, plan.reason(), null, started),
                        null);
            }
            WorkloadOperations.apply(workload, plan, request.eventId(), clock.instant());
            HasMetadata written;
            try {
                written = workloads.update(workload);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < MAX_CONFLICT_RETRIES) {
                    // changed since we read it: read it again and plan again (the event may be applied by now)
                    Optional<HasMetadata> again = workloads.get(ref);
                    if (again.isEmpty()) {
                        return new WorkloadOutcome(result(request, causeType, plan, Outcome.FAILED,
                                ref.key() + " was deleted while it was being upgraded; nothing changed", null,
                                started), null);
                    }
                    workload = again.get();
                    continue;
                }
                if (e.getCode() == 404 || e.getCode() == 400 || e.getCode() == 422) {
                    return new WorkloadOutcome(result(request, causeType, plan, Outcome.FAILED,
                            "the API server refused the update of " + ref.key() + " (" + e.getCode() + "): "
                                    + apiMessage(e) + "; nothing changed", null, started), null);
                }
                throw e;
            }
            Instant now = clock.instant();
            long generation = WorkloadOperations.generation(written);
            Rollout rollout = new Rollout(request.eventId(), causeType, request.push().receiverId(), ref, generation,
                    WorkloadOperations.fingerprint(written), plan.changes(), plan.restart(), now,
                    now.plus(request.rolloutTimeout()), request.rollbackOnFailure());
            return new WorkloadOutcome(result(request, causeType, plan, Outcome.APPLIED, plan.reason(), generation,
                    started), rollout);
        }
    }

    private ActionResult result(UpgradeRequest request, String causeType, UpgradePlan plan, Outcome outcome,
            String reason, Long generation, Instant started) {
        return UpgradeResults.forPlan(request.eventId(), causeType, request.push(), plan, outcome, reason,
                generation, started, clock.instant());
    }

    private static String apiMessage(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        return e.getMessage();
    }
}
