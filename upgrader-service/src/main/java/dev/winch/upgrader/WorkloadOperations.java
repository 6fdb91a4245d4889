package dev.winch.upgrader;

import dev.winch.common.event.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * The workloads an upgrade can change (Deployment, StatefulSet, DaemonSet) behind one small surface. Blocking:
 * call it on the worker pool.
 */
final class WorkloadOperations {

    private final KubernetesClient client;

    WorkloadOperations(KubernetesClient client) {
        this.client = client;
    }

    Optional<HasMetadata> get(WorkloadRef ref) {
        HasMetadata found = switch (ref.kind()) {
            case "deployment" -> client.apps().deployments().inNamespace(ref.namespace()).withName(ref.name()).get();
            case "statefulset" -> client.apps().statefulSets().inNamespace(ref.namespace()).withName(ref.name()).get();
            case "daemonset" -> client.apps().daemonSets().inNamespace(ref.namespace()).withName(ref.name()).get();
            default -> throw new IllegalArgumentException("a " + ref.kind() + " has no image to upgrade");
        };
        return Optional.ofNullable(found);
    }

    static PodTemplateSpec template(HasMetadata workload) {
        if (workload instanceof Deployment d) {
            return d.getSpec().getTemplate();
        }
        if (workload instanceof StatefulSet s) {
            return s.getSpec().getTemplate();
        }
        if (workload instanceof DaemonSet d) {
            return d.getSpec().getTemplate();
        }
        throw new IllegalArgumentException("not a workload: " + workload.getKind());
    }

    /**
     * Replaces the object with optimistic concurrency: the update carries the resourceVersion it was read at, so
     * a concurrent change makes it fail with 409 instead of being overwritten.
     */
    HasMetadata update(HasMetadata workload) {
        return client.resource(workload).update();
    }
}
