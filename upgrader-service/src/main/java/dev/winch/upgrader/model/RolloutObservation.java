package dev.winch.upgrader.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A workload's rollout state as its controller reports it, in plain values. For a DaemonSet the replica counts are
 * its scheduled-pod counts ({@code desiredNumberScheduled}, {@code updatedNumberScheduled}, {@code numberReady},
 * {@code numberAvailable}, {@code currentNumberScheduled}).
 *
 * <p>The counts are only about the current spec once {@code observedGeneration} has reached {@code generation}: until
 * then they describe an older spec (e.g. the replica count before a scale), and nothing is decided from them.
 *
 * @param kind               {@code deployment}, {@code statefulset} or {@code daemonset}
 * @param generation         {@code metadata.generation}: bumped by the API server on every spec change, a replica
 *                           count included
 * @param observedGeneration the generation the controller has acted on ({@code status.observedGeneration})
 * @param template           the pod template the workload has now
 * @param strategyType       {@code RollingUpdate}, {@code Recreate} or {@code OnDelete}
 * @param desired            replicas wanted now ({@code spec.replicas}, which may have changed during the rollout)
 * @param updated            replicas at the newest template
 * @param ready              replicas ready
 * @param available          replicas available ({@code minReadySeconds} elapsed)
 * @param total              replicas existing, old and new
 * @param currentRevision    StatefulSet: the revision of the current pods, else null
 * @param updateRevision     StatefulSet: the revision being rolled out, else null
 * @param partition          StatefulSet: the rolling-update partition, else 0
 */
public record RolloutObservation(String kind, long generation, long observedGeneration,
        PodTemplateFingerprint template, String strategyType, int desired, int updated, int ready, int available,
        int total, String currentRevision, String updateRevision, int partition, List<Condition> conditions) {

    /** A status condition. */
    public record Condition(String type, String status, String reason, String message) {
    }

    public RolloutObservation {
        Objects.requireNonNull(template, "template");
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }

    public Optional<Condition> condition(String type) {
        return conditions.stream().filter(c -> type.equals(c.type())).findFirst();
    }
}
