package dev.winch.common.event;

import dev.winch.common.kubernetes.KubernetesNames;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A Kubernetes workload: namespace, kind and name. The kind is the lower-case singular resource name
 * ({@code deployment}, {@code statefulset}, {@code daemonset}, {@code replicaset}).
 */
public record WorkloadRef(String namespace, String kind, String name) {

    public static final Set<String> KINDS = Set.of("deployment", "statefulset", "daemonset", "replicaset");

    public WorkloadRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        kind = kind.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses the {@code kind/name} form the seed's trigger URLs use ({@code deployment/web}). The namespace must be
     * a DNS-1123 label and the name a DNS-1123 subdomain, as the API server requires ({@link KubernetesNames}):
     * {@code deployment/..} or a namespace {@code ../kube-system} never becomes a target.
     *
     * @throws IllegalArgumentException with a message fit for an API error when it does not parse
     */
    public static WorkloadRef parse(String namespace, String kindSlashName) {
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalArgumentException("namespace is required");
        }
        KubernetesNames.dns1123LabelProblem(namespace).ifPresent(problem -> {
            throw new IllegalArgumentException("namespace is not a valid Kubernetes name: " + problem);
        });
        if (kindSlashName == null) {
            throw new IllegalArgumentException("workload is required, as kind/name");
        }
        int slash = kindSlashName.indexOf('/');
        if (slash <= 0 || slash == kindSlashName.length() - 1 || kindSlashName.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("workload must be kind/name, e.g. deployment/web, got '"
                    + kindSlashName + "'");
        }
        String kind = kindSlashName.substring(0, slash).toLowerCase(Locale.ROOT);
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("workload kind must be one of " + KINDS + ", got '" + kind + "'");
        }
        String name = kindSlashName.substring(slash + 1);
        KubernetesNames.dns1123SubdomainProblem(name).ifPresent(problem -> {
            throw new IllegalArgumentException("workload name is not a valid Kubernetes name: " + problem);
        });
        return new WorkloadRef(namespace, kind, name);
    }

    /** {@code namespace/kind/name}: the record key for anything that changes this workload. */
    public String key() {
        return namespace + "/" + kind + "/" + name;
    }

    @Override
    public String toString() {
        return key();
    }
}
