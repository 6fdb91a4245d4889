package dev.winch.scaler.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.Blocking;
import dev.winch.kubernetes.LabelSelector;
import dev.winch.kubernetes.OptimisticUpdate;
import dev.winch.kubernetes.OptimisticUpdate.Decision;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.kubernetes.WorkloadKind;
import dev.winch.scaler.model.ScalePlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link Workloads} on the fabric8 client.
 *
 * <p>The write goes through {@link OptimisticUpdate}: a full update (PUT) of the object carrying the resourceVersion
 * it was read at, not the scale subresource: the event ids and offsets must be written in the same request as the
 * replica count, and the scale subresource has no annotations.
 */
public final class KubernetesWorkloads implements Workloads {

    /** What a label selector picks: the kinds the issue names; ReplicaSets are nearly always a Deployment's. */
    private static final List<WorkloadKind> SELECTABLE = List.of(WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET);

    private final KubernetesClient client;
    private final Blocking blocking;
    private final OptimisticUpdate updates;

    public KubernetesWorkloads(KubernetesClient client, Blocking blocking) {
        this.client = client;
        this.blocking = blocking;
        this.updates = new OptimisticUpdate(client);
    }

    @Override
    public Future<Optional<Workload>> get(WorkloadRef ref) {
        WorkloadKind kind = Workloads.scalable(ref.kind())
                .orElseThrow(() -> new IllegalArgumentException("a " + ref.kind() + " cannot be scaled"));
        return blocking.call(() -> kind.get(client, ref.namespace(), ref.name()).map(Workload::of));
    }

    @Override
    public Future<List<Workload>> select(String namespace, Map<String, String> labels) {
        return blocking.call(() -> WorkloadKind.select(client, SELECTABLE, List.of(namespace),
                        LabelSelector.ofReceiver(labels)).stream()
                .map(Workload::of)
                .toList());
    }

    @Override
    public Future<UpdateResult<Workload, ScalePlan>> write(Workload read, Function<Workload, ScalePlan> plan) {
        return blocking.call(() -> updates.update(read.resource(), (HasMetadata workload) -> {
            Workload current = Workload.of(workload);
            ScalePlan decided = plan.apply(current);
            if (!decided.needsWrite()) {
                return Decision.<HasMetadata, ScalePlan>nothing(decided);
            }
            WorkloadKind.ofWorkload(workload).setReplicas(workload, decided.to());
            workload.getMetadata().setAnnotations(new HashMap<>(decided.annotations(current.annotations())));
            return Decision.write(workload, decided);
        }).map(Workload::of));
    }
}
