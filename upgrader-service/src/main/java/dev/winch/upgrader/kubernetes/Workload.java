package dev.winch.upgrader.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.upgrader.model.PodTemplateFingerprint;
import dev.winch.upgrader.model.RolloutObservation;
import dev.winch.upgrader.model.WorkloadSnapshot;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * A Deployment, StatefulSet or DaemonSet as read from the API server, seen through the model's values. The object
 * itself stays inside this package: it is what a write starts from.
 */
public final class Workload {

    private final HasMetadata resource;

    Workload(HasMetadata resource) {
        this.resource = Objects.requireNonNull(resource, "resource");
    }

    public WorkloadRef ref() {
        return WorkloadObjects.ref(resource);
    }

    /** {@code metadata.generation} as read. */
    public long generation() {
        return WorkloadObjects.generation(resource);
    }

    /** What an upgrade is planned from. */
    public WorkloadSnapshot snapshot() {
        return WorkloadObjects.snapshot(resource);
    }

    /** The pod template, as a rollout and a rollback compare it. */
    public PodTemplateFingerprint template() {
        return WorkloadObjects.fingerprint(resource);
    }

    /** The rollout state its status reports. */
    public RolloutObservation observe() {
        return WorkloadObjects.observe(resource);
    }

    HasMetadata resource() {
        return resource;
    }

    @Override
    public String toString() {
        return ref().key() + "@" + resource.getMetadata().getResourceVersion();
    }
}
