package dev.winch.scaler.kubernetes;

import dev.winch.common.event.WorkloadRef;
import dev.winch.common.runtime.Blocking;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Finds the HorizontalPodAutoscaler that owns a workload's replica count, if any. Read through
 * {@code autoscaling/v2}; the API server serves every HPA in every version, so v1 HPAs are found too.
 */
public final class HorizontalPodAutoscalers {

    private final KubernetesClient client;
    private final Blocking blocking;

    public HorizontalPodAutoscalers(KubernetesClient client, Blocking blocking) {
        this.client = client;
        this.blocking = blocking;
    }

    /** The name of an HPA in the workload's namespace whose {@code scaleTargetRef} is the workload. */
    public Future<Optional<String>> managing(WorkloadRef ref) {
        ScalableKind kind = ScalableKind.of(ref.kind())
                .orElseThrow(() -> new IllegalArgumentException("a " + ref.kind() + " cannot be scaled"));
        return blocking.call(() -> client.autoscaling().v2().horizontalPodAutoscalers()
                .inNamespace(ref.namespace()).list().getItems().stream()
                .filter(hpa -> targets(hpa, kind, ref.name()))
                .map(hpa -> hpa.getMetadata().getName())
                .sorted()
                .findFirst());
    }

    static boolean targets(HorizontalPodAutoscaler hpa, ScalableKind kind, String name) {
        CrossVersionObjectReference target = hpa.getSpec() == null ? null : hpa.getSpec().getScaleTargetRef();
        if (target == null || !kind.apiKind().equalsIgnoreCase(target.getKind()) || !name.equals(target.getName())) {
            return false;
        }
        String apiVersion = target.getApiVersion();
        // apps/v1 today; extensions/v1beta1 on HPAs written for old clusters; unset is accepted by the API server.
        return apiVersion == null || apiVersion.startsWith("apps/") || apiVersion.startsWith("extensions/");
    }
}
