package dev.winch.kubernetes;

import dev.winch.common.event.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The workload kinds the workers act on: how a receiver spells each ({@code deployment/x}), the fabric8 operation
 * that reads and writes it, and what it has. Declared in the order results list them (Deployments first).
 *
 * <p>What each kind supports, and why:
 * <ul>
 *   <li>a pod template: all four; changing it rolls the pods of a Deployment, StatefulSet or DaemonSet, but not of
 *       a ReplicaSet (its existing pods keep the old template), so a ReplicaSet has no rollout;</li>
 *   <li>a replica count ({@code spec.replicas}, the scale subresource): all but the DaemonSet, which runs one pod
 *       per eligible node;</li>
 *   <li>a rollout status (updated/ready/available counts against the current generation): all but the
 *       ReplicaSet.</li>
 * </ul>
 */
public enum WorkloadKind {
    DEPLOYMENT("deployment", "Deployment", Deployment.class, true,
            on(Deployment.class, d -> d.getSpec().getTemplate()),
            on(Deployment.class, d -> d.getSpec() == null ? null : d.getSpec().getReplicas()),
            (w, n) -> ((Deployment) w).getSpec().setReplicas(n)),
    STATEFULSET("statefulset", "StatefulSet", StatefulSet.class, true,
            on(StatefulSet.class, s -> s.getSpec().getTemplate()),
            on(StatefulSet.class, s -> s.getSpec() == null ? null : s.getSpec().getReplicas()),
            (w, n) -> ((StatefulSet) w).getSpec().setReplicas(n)),
    DAEMONSET("daemonset", "DaemonSet", DaemonSet.class, true,
            on(DaemonSet.class, d -> d.getSpec().getTemplate()),
            null,
            null),
    REPLICASET("replicaset", "ReplicaSet", ReplicaSet.class, false,
            on(ReplicaSet.class, r -> r.getSpec().getTemplate()),
            on(ReplicaSet.class, r -> r.getSpec() == null ? null : r.getSpec().getReplicas()),
            (w, n) -> ((ReplicaSet) w).getSpec().setReplicas(n));

    private final String kind;
    private final String apiKind;
    private final Class<? extends HasMetadata> type;
    private final boolean rolloutStatus;
    private final Function<HasMetadata, PodTemplateSpec> template;
    private final Function<HasMetadata, Integer> replicas;
    private final BiConsumer<HasMetadata, Integer> setReplicas;

    WorkloadKind(String kind, String apiKind, Class<? extends HasMetadata> type, boolean rolloutStatus,
            Function<HasMetadata, PodTemplateSpec> template, Function<HasMetadata, Integer> replicas,
            BiConsumer<HasMetadata, Integer> setReplicas) {
        this.kind = kind;
        this.apiKind = apiKind;
        this.type = type;
        this.rolloutStatus = rolloutStatus;
        this.template = template;
        this.replicas = replicas;
        this.setReplicas = setReplicas;
    }

    /** The kind as receivers and {@link WorkloadRef} spell it: {@code deployment}. */
    public String kind() {
        return kind;
    }

    /** The kind as the API spells it: {@code Deployment}. */
    public String apiKind() {
        return apiKind;
    }

    /** The fabric8 model class of the kind. */
    public Class<? extends HasMetadata> type() {
        return type;
    }

    public boolean hasPodTemplate() {
        return template != null;
    }

    public boolean hasReplicas() {
        return replicas != null;
    }

    public boolean hasRolloutStatus() {
        return rolloutStatus;
    }

    /** The kind {@code deployment/x} names; empty for any other word. */
    public static Optional<WorkloadKind> of(String kind) {
        return Arrays.stream(values()).filter(k -> k.kind.equals(kind)).findFirst();
    }

    /** The kind of an object as fabric8 read it; empty when it is none of these. */
    public static Optional<WorkloadKind> of(HasMetadata resource) {
        return Arrays.stream(values()).filter(k -> k.type.isInstance(resource)).findFirst();
    }

    /** The kind of an object the caller knows to be a workload. */
    public static WorkloadKind ofWorkload(HasMetadata resource) {
        return of(resource).orElseThrow(() -> new IllegalArgumentException("not a workload: "
                + resource.getKind()));
    }

    /** {@code namespace/kind/name} of the object. */
    public WorkloadRef ref(HasMetadata resource) {
        check(resource);
        return new WorkloadRef(resource.getMetadata().getNamespace(), kind, resource.getMetadata().getName());
    }

    /** The pod template of the object, to read or change in place. */
    public PodTemplateSpec podTemplate(HasMetadata resource) {
        check(resource);
        return template.apply(resource);
    }

    /** {@code spec.replicas}; unset means 1, as the API server defaults it. */
    public int replicas(HasMetadata resource) {
        if (replicas == null) {
            throw new UnsupportedOperationException("a " + kind + " has no replica count");
        }
        check(resource);
        Integer value = replicas.apply(resource);
        return value == null ? 1 : value;
    }

    /** Sets {@code spec.replicas} on the object (not on the server). */
    public void setReplicas(HasMetadata resource, int value) {
        if (setReplicas == null) {
            throw new UnsupportedOperationException("a " + kind + " has no replica count");
        }
        check(resource);
        setReplicas.accept(resource, value);
    }

    /** The fabric8 operation on every object of this kind. */
    @SuppressWarnings("unchecked")
    public MixedOperation<HasMetadata, KubernetesResourceList<HasMetadata>, Resource<HasMetadata>> resources(
            KubernetesClient client) {
        return client.resources((Class<HasMetadata>) type);
    }

    /** The object, or empty when it does not exist. Blocking. */
    public Optional<HasMetadata> get(KubernetesClient client, String namespace, String name) {
        return Optional.ofNullable(resources(client).inNamespace(namespace).withName(name).get());
    }

    /**
     * The objects of this kind that {@code selector} matches, in {@code namespace} or in every namespace when it is
     * null. Blocking. The selector is sent to the API server and checked again on what comes back: a server or a
     * client that dropped a term must not widen what a receiver changes.
     */
    public List<HasMetadata> list(KubernetesClient client, String namespace, LabelSelector selector) {
        FilterWatchListDeletable<HasMetadata, KubernetesResourceList<HasMetadata>, Resource<HasMetadata>> listing =
                namespace == null ? resources(client).inAnyNamespace() : resources(client).inNamespace(namespace);
        listing = listing.withLabels(selector.matchLabels());
        for (LabelSelector.Requirement requirement : selector.matchExpressions()) {
            String key = requirement.key();
            String[] values = requirement.values().toArray(String[]::new);
            listing = switch (requirement.operator()) {
                case IN -> listing.withLabelIn(key, values);
                case NOT_IN -> listing.withLabelNotIn(key, values);
                case EXISTS -> listing.withLabel(key);
                case DOES_NOT_EXIST -> listing.withoutLabel(key);
            };
        }
        return listing.list().getItems().stream()
                .filter(item -> selector.matches(item.getMetadata().getLabels()))
                .toList();
    }

    /**
     * The objects of {@code kinds} that {@code selector} matches in {@code namespaces} (every namespace when empty),
     * sorted by namespace, kind (in declaration order), name, so that results come in a stable order. Blocking.
     */
    public static List<HasMetadata> select(KubernetesClient client, Collection<WorkloadKind> kinds,
            Collection<String> namespaces, LabelSelector selector) {
        List<HasMetadata> found = new ArrayList<>();
        for (WorkloadKind kind : kinds) {
            if (namespaces.isEmpty()) {
                found.addAll(kind.list(client, null, selector));
            } else {
                for (String namespace : new LinkedHashSet<>(namespaces)) {
                    found.addAll(kind.list(client, namespace, selector));
                }
            }
        }
        found.sort(Comparator.comparing((HasMetadata w) -> w.getMetadata().getNamespace())
                .thenComparing(WorkloadKind::ofWorkload)
                .thenComparing(w -> w.getMetadata().getName()));
        return found;
    }

    private void check(HasMetadata resource) {
        if (!type.isInstance(resource)) {
            throw new IllegalArgumentException("not a " + apiKind + ": " + resource.getKind());
        }
    }

    private static <W extends HasMetadata, V> Function<HasMetadata, V> on(Class<W> type, Function<W, V> read) {
        return resource -> read.apply(type.cast(resource));
    }
}
