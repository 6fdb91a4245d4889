package dev.winch.common.event;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Scale a workload up or down by {@code amount}, never past {@code max} nor below {@code min}.
 *
 * @param target          the workload, or null when {@code selector} picks the workloads
 * @param cooldownSeconds no second scale of the same target within this many seconds (0: none)
 * @param selector        the workloads (Deployments and StatefulSets) carrying these labels in a namespace,
 *                        when no single target is named
 */
public record ServiceScaleRequested(
        String receiverId,
        WorkloadRef target,
        ScaleAction action,
        int amount,
        int min,
        int max,
        int cooldownSeconds,
        WorkloadSelector selector) implements WinchEvent {

    public ServiceScaleRequested {
        Objects.requireNonNull(action, "action");
        if ((target == null) == (selector == null)) {
            throw new IllegalArgumentException("exactly one of target and selector must be given");
        }
    }

    /** A request for one named workload. */
    public ServiceScaleRequested(String receiverId, WorkloadRef target, ScaleAction action, int amount, int min,
            int max, int cooldownSeconds) {
        this(receiverId, target, action, amount, min, max, cooldownSeconds, null);
    }

    /** The workload's key, or {@code namespace/selector:k=v,...} for a selector. */
    @Override
    public String partitionKey() {
        return target != null ? target.key() : selector.key();
    }

    /** Workloads of a namespace picked by labels; an empty value means "the key exists". */
    public record WorkloadSelector(String namespace, Map<String, String> labels) {

        public WorkloadSelector {
            Objects.requireNonNull(namespace, "namespace");
            labels = Map.copyOf(labels);
        }

        public String key() {
            return namespace + "/selector:" + new TreeMap<>(labels).entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        }
    }
}
