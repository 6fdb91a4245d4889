package dev.winch.scaler.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.WorkloadKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A scalable workload as read from the API server.
 *
 * @param ref             namespace, kind, name
 * @param replicas        {@code spec.replicas}
 * @param annotations     its annotations (never null)
 * @param resourceVersion the version it was read at; a write made from it fails with a conflict if it moved on
 * @param controller      {@code kind/name} of the owner reference marked {@code controller: true}, if any
 * @param resource        the object itself, for the write
 */
public record Workload(WorkloadRef ref, int replicas, Map<String, String> annotations, String resourceVersion,
        Optional<String> controller, HasMetadata resource) {

    public Workload {
        Objects.requireNonNull(ref, "ref");
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(resource, "resource");
    }

    static Workload of(HasMetadata resource) {
        WorkloadKind kind = WorkloadKind.ofWorkload(resource);
        var metadata = resource.getMetadata();
        Optional<String> controller = Optional.ofNullable(metadata.getOwnerReferences()).stream()
                .flatMap(java.util.List::stream)
                .filter(owner -> Boolean.TRUE.equals(owner.getController()))
                .map(owner -> owner.getKind().toLowerCase(java.util.Locale.ROOT) + "/" + owner.getName())
                .findFirst();
        return new Workload(kind.ref(resource), kind.replicas(resource), metadata.getAnnotations(),
                metadata.getResourceVersion(), controller, resource);
    }
}
