package dev.winch.scaler.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds whose {@code spec.replicas} Winch sets. DaemonSets are not among them: they run one pod per eligible
 * node and have no replica count.
 */
public enum ScalableKind {
    DEPLOYMENT("deployment", "Deployment", Deployment.class),
    STATEFULSET("statefulset", "StatefulSet", StatefulSet.class),
    REPLICASET("replicaset", "ReplicaSet", ReplicaSet.class);

    private final String kind;
    private final String apiKind;
    private final Class<? extends HasMetadata> type;

    ScalableKind(String kind, String apiKind, Class<? extends HasMetadata> type) {
        this.kind = kind;
        this.apiKind = apiKind;
        this.type = type;
    }

    /** The kind as {@link dev.winch.common.event.WorkloadRef} spells it: {@code deployment}. */
    public String kind() {
        return kind;
    }

    /** The kind as the API spells it: {@code Deployment}. */
    public String apiKind() {
        return apiKind;
    }

    Class<? extends HasMetadata> type() {
        return type;
    }

    public static Optional<ScalableKind> of(String kind) {
        return Arrays.stream(values()).filter(k -> k.kind.equals(kind)).findFirst();
    }

    /** {@code spec.replicas}; unset means 1, as the API server defaults it. */
    static int replicas(HasMetadata workload) {
        Integer replicas;
        if (workload instanceof Deployment d) {
            replicas = d.getSpec() == null ? null : d.getSpec().getReplicas();
        } else if (workload instanceof StatefulSet s) {
            replicas = s.getSpec() == null ? null : s.getSpec().getReplicas();
        } else if (workload instanceof ReplicaSet r) {
            replicas = r.getSpec() == null ? null : r.getSpec().getReplicas();
        } else {
            throw new IllegalArgumentException("not a scalable workload: " + workload.getKind());
        }
        return replicas == null ? 1 : replicas;
    }

    static void setReplicas(HasMetadata workload, int replicas) {
        if (workload instanceof Deployment d) {
            d.getSpec().setReplicas(replicas);
        } else if (workload instanceof StatefulSet s) {
            s.getSpec().setReplicas(replicas);
        } else if (workload instanceof ReplicaSet r) {
            r.getSpec().setReplicas(replicas);
        } else {
            throw new IllegalArgumentException("not a scalable workload: " + workload.getKind());
        }
    }
}
