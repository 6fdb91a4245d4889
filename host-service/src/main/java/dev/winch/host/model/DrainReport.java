package dev.winch.host.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What draining one Node came to.
 *
 * @param node    the Node's name
 * @param drained every pod that had to go is gone (evicted, or deleted by its owner meanwhile)
 * @param evicted the pods evicted, {@code namespace/name}
 * @param skipped the pods left on purpose: DaemonSet-owned and mirror (static) pods, {@code namespace/name}
 * @param blocked the pods still there when the drain timed out, {@code namespace/name} to the last reason the
 *                API server gave (e.g. the PodDisruptionBudget that refused the eviction); empty when drained
 */
public record DrainReport(String node, boolean drained, List<String> evicted, List<String> skipped,
        Map<String, String> blocked) {

    public DrainReport {
        Objects.requireNonNull(node, "node");
        evicted = List.copyOf(evicted);
        skipped = List.copyOf(skipped);
        blocked = Map.copyOf(blocked);
    }
}
