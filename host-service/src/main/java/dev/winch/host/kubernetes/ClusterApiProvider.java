package dev.winch.host.kubernetes;

import dev.winch.common.runtime.Blocking;
import dev.winch.host.kubernetes.ClusterApiMachines.ReplicaChange;
import dev.winch.host.model.Host;
import dev.winch.host.model.MachineOwner;
import dev.winch.host.model.Provider;
import dev.winch.host.provider.HostProvider;
import dev.winch.kubernetes.UpdateResult;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Cluster API provider: a clone is one more replica of the template host's MachineDeployment (or MachineSet),
 * a removal a Machine marked {@code cluster.x-k8s.io/delete-machine} and one replica less; see
 * {@link ClusterApiMachines}. Every fabric8 call runs on the worker pool.
 */
public final class ClusterApiProvider implements HostProvider {

    private final ClusterApiMachines machines;
    private final Blocking blocking;

    public ClusterApiProvider(ClusterApiMachines machines, Blocking blocking) {
        this.machines = machines;
        this.blocking = blocking;
    }

    @Override
    public Provider kind() {
        return Provider.CLUSTER_API;
    }

    @Override
    public Future<CloneOutcome> clone(CloneRequest request) {
        MachineOwner owner = request.template().owner().orElseThrow();
        return blocking.call(() -> machines.raise(owner, request.count(), request.eventId()))
                .compose(ClusterApiProvider::retryOnConflicts).map(result -> {
            ReplicaChange change = result.decision();
            Map<String, String> details = details(change);
            if (result instanceof UpdateResult.Written) {
                return new CloneOutcome(change.to() - change.from(), List.of(), false, Optional.empty(), details);
            }
            if (result instanceof UpdateResult.Unchanged && change.duplicate()) {
                return new CloneOutcome(0, List.of(), true, Optional.empty(), details);
            }
            return new CloneOutcome(0, List.of(), false, Optional.of(failure(owner, result)), details);
        });
    }

    @Override
    public Future<RemoveOutcome> remove(RemoveRequest request) {
        Map<MachineOwner, List<Host>> byOwner = new LinkedHashMap<>();
        request.hosts().forEach(h -> byOwner.computeIfAbsent(h.owner().orElseThrow(), o -> new ArrayList<>()).add(h));
        Future<RemoveOutcome> chain = Future.succeededFuture(new RemoveOutcome(List.of(), Map.of(), Map.of()));
        for (Map.Entry<MachineOwner, List<Host>> entry : byOwner.entrySet()) {
            MachineOwner owner = entry.getKey();
            List<Host> hosts = entry.getValue();
            List<String> machineNames = hosts.stream().map(h -> h.machine().orElseThrow()).toList();
            chain = chain.compose(sofar -> blocking.call(() -> machines.remove(owner, machineNames,
                    request.eventId())).compose(ClusterApiProvider::retryOnConflicts).map(result -> {
                        List<String> removed = new ArrayList<>(sofar.removed());
                        Map<String, String> failed = new LinkedHashMap<>(sofar.failed());
                        Map<String, String> details = new LinkedHashMap<>(sofar.details());
                        details.putAll(details(result.decision()));
                        boolean done = result instanceof UpdateResult.Written
                                || (result instanceof UpdateResult.Unchanged && result.decision().duplicate());
                        for (Host host : hosts) {
                            if (done) {
                                removed.add(host.name());
                            } else {
                                failed.put(host.name(), failure(owner, result));
                            }
                        }
                        return new RemoveOutcome(removed, failed, details);
                    }));
        }
        return chain;
    }

    /**
     * Someone kept changing the owner through every attempt: nothing was written, and a later try (the consumer's
     * retry with backoff) may succeed, so the request fails rather than being answered.
     */
    private static Future<UpdateResult<GenericKubernetesResource, ReplicaChange>> retryOnConflicts(
            UpdateResult<GenericKubernetesResource, ReplicaChange> result) {
        if (result instanceof UpdateResult.Conflict<?, ?> conflict) {
            return Future.failedFuture(new IllegalStateException(result.decision().owner() + " changed under "
                    + conflict.attempts() + " writes in a row; leaving it to a retry"));
        }
        return Future.succeededFuture(result);
    }

    private static Map<String, String> details(ReplicaChange change) {
        String owner = change.owner().kind().equals(MachineOwner.MACHINE_DEPLOYMENT) ? "machineDeployment"
                : "machineSet";
        return Map.of(owner, change.owner().namespace() + "/" + change.owner().name(),
                "replicas." + change.owner().name(), change.from() + "->" + change.to());
    }

    private static String failure(MachineOwner owner,
            UpdateResult<GenericKubernetesResource, ReplicaChange> result) {
        if (result instanceof UpdateResult.Gone) {
            return owner + " does not exist";
        }
        if (result instanceof UpdateResult.Rejected<?, ?> rejected) {
            return "the API server rejected the replica change of " + owner + " (" + rejected.status() + "): "
                    + rejected.message();
        }
        return owner + " was not changed";
    }
}
