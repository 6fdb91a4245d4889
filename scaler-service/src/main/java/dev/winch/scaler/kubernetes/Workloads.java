package dev.winch.scaler.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.kubernetes.WorkloadKind;
import dev.winch.scaler.model.ScalePlan;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads and writes the replica count of Deployments, StatefulSets and ReplicaSets. Every call runs on the worker
 * pool. A failed future means the API server could not be asked (unreachable, 5xx, 401/403, timeout): the caller
 * retries later; what the API server answered about the workload itself comes back as a value.
 */
public interface Workloads {

    /** The kind {@code kind} names when Winch can scale it: one with a replica count (not a DaemonSet). */
    static Optional<WorkloadKind> scalable(String kind) {
        return WorkloadKind.of(kind).filter(WorkloadKind::hasReplicas);
    }

    /** The workload, or empty when it does not exist. {@code ref.kind()} must be {@link #scalable}. */
    Future<Optional<Workload>> get(WorkloadRef ref);

    /**
     * The Deployments and StatefulSets of {@code namespace} carrying all {@code labels}; an empty value means the
     * label key only has to exist. Sorted by kind, then name, so results come in a stable order.
     */
    Future<List<Workload>> select(String namespace, Map<String, String> labels);

    /**
     * Plans from {@code read} and, when the plan needs a write, sets its replicas and annotations in one update of
     * the object, conditional on the resourceVersion it was planned from; on a conflict reads the workload again and
     * plans again, a bounded number of times. {@code plan} gets the workload as (last) read, runs once per attempt
     * and must not do I/O.
     */
    Future<UpdateResult<Workload, ScalePlan>> write(Workload read, Function<Workload, ScalePlan> plan);
}
