package dev.winch.gateway.receiver;

import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kubernetes.KubernetesNames;
import dev.winch.gateway.payload.FieldReader;
import java.util.Set;

/**
 * The one place where the gateway checks the Kubernetes names a request or a receiver names: the admin API and
 * receivers files (through {@link ReceiverValidator}) and trigger URLs (through {@link dev.winch.gateway.plan.TriggerPlanner}) apply the
 * same rules ({@link KubernetesNames}, {@link WorkloadRef#parse}) and the same allowed kinds, so a target refused in
 * a receiver is refused in a URL too.
 */
public final class TargetNames {

    /** What the scaler changes the replicas of. */
    public static final Set<String> SCALABLE_KINDS = Set.of("deployment", "statefulset");
    /** What the upgrader sets images on; a ReplicaSet belongs to its Deployment, which would undo the change. */
    public static final Set<String> UPGRADABLE_KINDS = Set.of("deployment", "statefulset", "daemonset");

    private TargetNames() {
    }

    /** A namespace: a DNS-1123 label. False (and the error recorded) when it is not one. */
    public static boolean namespace(FieldReader f, String field, String namespace) {
        return label(f, field, namespace, "is not a valid namespace name: ");
    }

    /** A container name: a DNS-1123 label. */
    public static boolean container(FieldReader f, String field, String container) {
        return label(f, field, container, "is not a valid container name: ");
    }

    /**
     * A {@code kind/name} workload of one of {@code kinds}, its name a DNS-1123 subdomain; null (and the error
     * recorded) when it is not one. The namespace is checked on its own field, so the reference is made in it only
     * when that is valid.
     */
    public static WorkloadRef workload(FieldReader f, String field, String namespace, String kindSlashName,
            Set<String> kinds) {
        WorkloadRef ref;
        try {
            ref = WorkloadRef.parse(namespace != null && KubernetesNames.isDns1123Label(namespace) ? namespace
                    : "default", kindSlashName);
        } catch (IllegalArgumentException e) {
            f.error(field, e.getMessage());
            return null;
        }
        if (!kinds.contains(ref.kind())) {
            f.error(field, refusal(ref.kind(), kinds));
            return null;
        }
        return ref;
    }

    private static String refusal(String kind, Set<String> kinds) {
        if (kinds.equals(SCALABLE_KINDS)) {
            return "only a deployment or a statefulset can be scaled";
        }
        if (kind.equals("replicaset")) {
            return "a replicaset is not upgraded directly; name its deployment";
        }
        return "workload kind must be one of " + kinds.stream().sorted().toList() + ", got '" + kind + "'";
    }

    private static boolean label(FieldReader f, String field, String value, String message) {
        var problem = KubernetesNames.dns1123LabelProblem(value);
        problem.ifPresent(p -> f.error(field, message + p));
        return problem.isEmpty();
    }
}
