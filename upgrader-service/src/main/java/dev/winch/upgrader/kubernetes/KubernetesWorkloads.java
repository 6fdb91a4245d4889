package dev.winch.upgrader.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.LabelSelector;
import dev.winch.kubernetes.OptimisticUpdate;
import dev.winch.kubernetes.OptimisticUpdate.Decision;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.kubernetes.WorkloadKind;
import dev.winch.upgrader.model.PodTemplateFingerprint;
import dev.winch.upgrader.model.RollbackPlan;
import dev.winch.upgrader.model.UpgradePlan;
import dev.winch.upgrader.model.WorkloadSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link Workloads} on the fabric8 client. Writes go through {@link OptimisticUpdate}: full updates carrying the
 * resourceVersion they were read at, which behave the same on a real API server and on the fabric8 mock server
 * (strategic merge patch is refused by the mock, JSON merge patch of a container list appends on it).
 */
public final class KubernetesWorkloads implements Workloads {

    /**
     * The kinds whose pod template change rolls their pods. A ReplicaSet has a template too, but changing it
     * replaces no pod: it is refused before any read ({@code UpgradeRequest}).
     */
    static final List<WorkloadKind> UPGRADABLE = List.of(WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET,
            WorkloadKind.DAEMONSET);

    private final KubernetesClient client;
    private final OptimisticUpdate updates;

    public KubernetesWorkloads(KubernetesClient client) {
        this.client = client;
        this.updates = new OptimisticUpdate(client);
    }

    @Override
    public Optional<Workload> get(WorkloadRef ref) {
        WorkloadKind kind = WorkloadKind.of(ref.kind()).filter(UPGRADABLE::contains)
                .orElseThrow(() -> new IllegalArgumentException("a " + ref.kind() + " has no image to upgrade"));
        return kind.get(client, ref.namespace(), ref.name()).map(Workload::new);
    }

    @Override
    public List<Workload> select(List<String> namespaces, Map<String, String> selector) {
        return WorkloadKind.select(client, UPGRADABLE, namespaces, LabelSelector.ofReceiver(selector)).stream()
                .map(Workload::new)
                .toList();
    }

    @Override
    public UpdateResult<Workload, UpgradePlan> upgrade(Workload read, Function<WorkloadSnapshot, UpgradePlan> plan,
            String eventId, Clock clock) {
        return updates.update(read.resource(), (HasMetadata workload) -> {
            UpgradePlan decided = plan.apply(WorkloadObjects.snapshot(workload));
            if (decided.decision() != UpgradePlan.Decision.APPLY) {
                return Decision.<HasMetadata, UpgradePlan>nothing(decided);
            }
            WorkloadObjects.apply(workload, decided, eventId, clock.instant());
            return Decision.write(workload, decided);
        }).map(Workload::new);
    }

    @Override
    public UpdateResult<Workload, RollbackPlan> rollBack(Workload read,
            Function<PodTemplateFingerprint, RollbackPlan> plan) {
        return updates.update(read.resource(), (HasMetadata workload) -> {
            RollbackPlan decided = plan.apply(WorkloadObjects.fingerprint(workload));
            if (decided instanceof RollbackPlan.Restore restore) {
                WorkloadObjects.restore(workload, restore);
                return Decision.write(workload, decided);
            }
            return Decision.<HasMetadata, RollbackPlan>nothing(decided);
        }).map(Workload::new);
    }
}
