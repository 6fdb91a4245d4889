package dev.winch.upgrader.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.upgrader.model.PodTemplateFingerprint;
import dev.winch.upgrader.model.RollbackPlan;
import dev.winch.upgrader.model.UpgradePlan;
import dev.winch.upgrader.model.WorkloadSnapshot;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads and writes the workloads an upgrade changes: Deployments, StatefulSets, DaemonSets. Blocking: call it on
 * the worker pool. An exception means the API server could not be asked (unreachable, 5xx, 401/403, a timeout): the
 * caller retries later. What the API server answered about the workload itself comes back as a value; writes as an
 * {@link UpdateResult} of the plan the caller's function made from the workload as (last) read.
 */
public interface Workloads {

    /** The workload, or empty when it does not exist; a kind the upgrader does not change is refused. */
    Optional<Workload> get(WorkloadRef ref);

    /**
     * The Deployments, StatefulSets and DaemonSets carrying every label of {@code selector} (an empty value: the key
     * only has to exist), in {@code namespaces} or, when empty, in every namespace; sorted by namespace, kind, name.
     */
    List<Workload> select(List<String> namespaces, Map<String, String> selector);

    /**
     * Writes what {@code plan} decides for the workload (images, restart, strategy, and {@code eventId} among the
     * applied events) when it decides {@link UpgradePlan.Decision#APPLY}; conditional on the resourceVersion, planned
     * again on the workload as read again after a conflict. {@code clock} dates the restart annotation.
     */
    UpdateResult<Workload, UpgradePlan> upgrade(Workload read, Function<WorkloadSnapshot, UpgradePlan> plan,
            String eventId, Clock clock);

    /**
     * Sets back the images {@code plan} restores, when it decides {@link RollbackPlan.Restore}, on the workload as
     * read (everything else on it is written back unchanged); planned again after a conflict.
     */
    UpdateResult<Workload, RollbackPlan> rollBack(Workload read, Function<PodTemplateFingerprint, RollbackPlan> plan);
}
