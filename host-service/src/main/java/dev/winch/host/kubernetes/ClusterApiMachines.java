package dev.winch.host.kubernetes;

import dev.winch.host.model.HostLabels;
import dev.winch.host.model.MachineOwner;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.OptimisticUpdate;
import dev.winch.kubernetes.OptimisticUpdate.Decision;
import dev.winch.kubernetes.UpdateResult;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Cluster API provider's writes. Blocking (fabric8): call it on the worker pool.
 *
 * <p>Up raises the owner's {@code spec.replicas} (a MachineDeployment's, or a MachineSet's that none owns): Cluster
 * API makes the new Machines from the owner's infrastructure template, which is the clone. Down first marks each
 * chosen Machine {@code cluster.x-k8s.io/delete-machine}, then lowers the owner's replicas by their number: the
 * MachineSet deletes marked Machines first, so exactly those go. The event id goes to the owner's
 * {@code winch.dev/applied-events} in the same write as its replica count (one PUT with the resourceVersion read,
 * {@link OptimisticUpdate}), so a redelivered event finds it and changes nothing.
 */
public final class ClusterApiMachines {

    /**
     * What a replica write decided.
     *
     * @param duplicate the event id was already on the owner: nothing written
     */
    public record ReplicaChange(MachineOwner owner, int from, int to, boolean duplicate) {
    }

    private final KubernetesClient client;
    private final OptimisticUpdate update;

    public ClusterApiMachines(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
        this.update = new OptimisticUpdate(client);
    }

    /** Raises {@code owner}'s replicas by {@code count}, recording {@code eventId} in the same write. */
    public UpdateResult<GenericKubernetesResource, ReplicaChange> raise(MachineOwner owner, int count,
            String eventId) {
        return changeReplicas(owner, count, eventId);
    }

    /**
     * Marks {@code machines} ({@code namespace/name}, all of {@code owner}) for deletion, then lowers
     * {@code owner}'s replicas by their number, recording {@code eventId} in that write. Marking is repeatable: a
     * redelivery marks them again (no change) and finds the id on the owner.
     */
    public UpdateResult<GenericKubernetesResource, ReplicaChange> remove(MachineOwner owner, List<String> machines,
            String eventId) {
        for (String machine : machines) {
            markForDeletion(machine, eventId);
        }
        return changeReplicas(owner, -machines.size(), eventId);
    }

    /** Annotates a Machine {@code cluster.x-k8s.io/delete-machine}; false when it is gone. */
    public boolean markForDeletion(String machine, String eventId) {
        String[] parts = machine.split("/", 2);
        GenericKubernetesResource read = ClusterApi.resources(client, "Machine").inNamespace(parts[0])
                .withName(parts[1]).get();
        if (read == null) {
            return false;
        }
        UpdateResult<GenericKubernetesResource, Boolean> result = update.update(read, copy -> {
            Map<String, String> annotations = annotations(copy);
            if (annotations.containsKey(HostLabels.CAPI_DELETE_MACHINE)) {
                return Decision.nothing(false);
            }
            annotations.put(HostLabels.CAPI_DELETE_MACHINE, "winch " + eventId);
            copy.getMetadata().setAnnotations(annotations);
            return Decision.write(copy, true);
        });
        return !(result instanceof UpdateResult.Gone);
    }

    private UpdateResult<GenericKubernetesResource, ReplicaChange> changeReplicas(MachineOwner owner, int by,
            String eventId) {
        GenericKubernetesResource read = ClusterApi.resources(client, owner.kind()).inNamespace(owner.namespace())
                .withName(owner.name()).get();
        if (read == null) {
            return new UpdateResult.Gone<>(new ReplicaChange(owner, 0, 0, false), 0);
        }
        return update.update(read, copy -> {
            Map<String, String> annotations = annotations(copy);
            int from = ClusterApi.replicas(copy);
            if (AppliedEvents.contains(annotations, eventId)) {
                return Decision.nothing(new ReplicaChange(owner, from, from, true));
            }
            int to = Math.max(0, from + by);
            ClusterApi.setReplicas(copy, to);
            annotations.put(AppliedEvents.ANNOTATION, AppliedEvents.append(annotations, List.of(eventId)));
            copy.getMetadata().setAnnotations(annotations);
            return Decision.write(copy, new ReplicaChange(owner, from, to, false));
        });
    }

    private static Map<String, String> annotations(GenericKubernetesResource object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? new HashMap<>() : new HashMap<>(annotations);
    }
}
