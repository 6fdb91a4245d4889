package dev.winch.upgrader.model;

import dev.winch.common.event.WorkloadRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parts of a workload an upgrade plan reads, as plain values: what it is, its labels and annotations, and the
 * containers of its pod template in order.
 */
public record WorkloadSnapshot(WorkloadRef ref, Map<String, String> labels, Map<String, String> annotations,
        List<Container> containers) {

    /** A container of the pod template. */
    public record Container(String name, String image) {
    }

    public WorkloadSnapshot {
        Objects.requireNonNull(ref, "ref");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        containers = List.copyOf(containers);
    }

    /** {@code name=image, ...}, for reasons that list what a workload runs. */
    public String describeContainers() {
        return String.join(", ", containers.stream().map(c -> c.name() + "=" + c.image()).toList());
    }
}
