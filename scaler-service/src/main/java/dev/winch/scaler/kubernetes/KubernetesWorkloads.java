package dev.winch.scaler.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.Blocking;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Workloads} on the fabric8 client.
 *
 * <p>The write is a full update (PUT) of the object carrying the resourceVersion it was read at, not the scale
 * subresource: the event ids must be written in the same request as the replica count, and the scale subresource
 * has no annotations. A PUT with a resourceVersion is also the one conditional write that behaves the same on the
 * fabric8 mock server and a real API server (409 when stale); merge patches of lists and strategic merge do not.
 */
public final class KubernetesWorkloads implements Workloads {

    /** What a label selector picks: the kinds the issue names; ReplicaSets are nearly always a Deployment's. */
    private static final List<ScalableKind> SELECTABLE = List.of(ScalableKind.DEPLOYMENT, ScalableKind.STATEFULSET);

    private final KubernetesClient client;
    private final Blocking blocking;

    public KubernetesWorkloads(KubernetesClient client, Blocking blocking) {
        this.client = client;
        this.blocking = blocking;
    }

    @Override
    public Future<Optional<Workload>> get(WorkloadRef ref) {
        ScalableKind kind = ScalableKind.of(ref.kind())
                .orElseThrow(() -> new IllegalArgumentException("a " + ref.kind() + " cannot be scaled"));
        return blocking.call(() -> Optional.<HasMetadata>ofNullable(
                        client.resources(kind.type()).inNamespace(ref.namespace()).withName(ref.name()).get())
                .map(resource -> Workload.of(kind, resource)));
    }

    @Override
    public Future<List<Workload>> select(String namespace, Map<String, String> labels) {
        return blocking.call(() -> {
            List<Workload> found = new ArrayList<>();
            for (ScalableKind kind : SELECTABLE) {
                var listing = client.resources(kind.type()).inNamespace(namespace).withLabels(valued(labels));
                for (String key : keysOnly(labels)) {
                    listing = listing.withLabel(key);
                }
                for (HasMetadata item : listing.list().getItems()) {
                    // The API server already filtered; checked again so a server that ignores a selector term
                    // (or a client that drops it) cannot widen what a receiver scales.
                    if (matches(item.getMetadata().getLabels(), labels)) {
                        found.add(Workload.of(kind, item));
                    }
                }
            }
            found.sort(Comparator.comparing((Workload w) -> ScalableKind.of(w.ref().kind()).orElseThrow())
                    .thenComparing(w -> w.ref().name()));
            return found;
        });
    }

    @Override
    public Future<WriteResult> write(Workload read, int replicas, Map<String, String> annotations) {
        ScalableKind kind = ScalableKind.of(read.ref().kind()).orElseThrow();
        return blocking.call(() -> {
            HasMetadata changed = client.getKubernetesSerialization().clone(read.resource());
            ScalableKind.setReplicas(changed, replicas);
            changed.getMetadata().setAnnotations(new HashMap<>(annotations));
            changed.getMetadata().setResourceVersion(read.resourceVersion());
            try {
                return new WriteResult.Written(Workload.of(kind, client.resource(changed).update()));
            } catch (KubernetesClientException e) {
                return switch (e.getCode()) {
                    case 409 -> new WriteResult.Conflict(e.getMessage());
                    case 404 -> new WriteResult.Gone();
                    case 400, 422 -> new WriteResult.Rejected(e.getCode(), e.getMessage());
                    default -> throw e;
                };
            }
        });
    }

    static boolean matches(Map<String, String> actual, Map<String, String> wanted) {
        Map<String, String> present = actual == null ? Map.of() : actual;
        return wanted.entrySet().stream().allMatch(e -> e.getValue() == null || e.getValue().isEmpty()
                ? present.containsKey(e.getKey())
                : e.getValue().equals(present.get(e.getKey())));
    }

    private static Map<String, String> valued(Map<String, String> labels) {
        Map<String, String> valued = new HashMap<>();
        labels.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                valued.put(k, v);
            }
        });
        return valued;
    }

    private static List<String> keysOnly(Map<String, String> labels) {
        return labels.entrySet().stream().filter(e -> e.getValue() == null || e.getValue().isEmpty())
                .map(Map.Entry::getKey).sorted().toList();
    }
}
