package dev.winch.scaler.kubernetes;

import dev.winch.common.event.WorkloadRef;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes the replica count of Deployments, StatefulSets and ReplicaSets. Every call runs on the worker
 * pool. A failed future means the API server could not be asked (unreachable, 5xx, 401/403, timeout): the caller
 * retries later; what the API server answered about the workload itself comes back as a value.
 */
public interface Workloads {

    /** The workload, or empty when it does not exist. {@code ref.kind()} must be a {@link ScalableKind}. */
    Future<Optional<Workload>> get(WorkloadRef ref);

    /**
     * The Deployments and StatefulSets of {@code namespace} carrying all {@code labels}; an empty value means the
     * label key only has to exist. Sorted by kind, then name, so results come in a stable order.
     */
    Future<List<Workload>> select(String namespace, Map<String, String> labels);

    /**
     * Sets {@code replicas} and {@code annotations} in one update of the object, conditional on the
     * resourceVersion {@code read} was read at.
     */
    Future<WriteResult> write(Workload read, int replicas, Map<String, String> annotations);
}
