package dev.winch.scaler.kubernetes;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Creates HorizontalPodAutoscalers through a given {@code autoscaling} version, as a user of a cluster of that age
 * would (min 2, max 10, targeting an {@code apps/v1} workload).
 */
public final class Hpas {

    private Hpas() {
    }

    public static HorizontalPodAutoscaler createV2(KubernetesClient client, String namespace, String name, String kind,
            String target) {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).resource(
                new HorizontalPodAutoscalerBuilder()
                        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                        .withNewSpec().withMinReplicas(2).withMaxReplicas(10)
                        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind(kind).withName(target)
                        .endScaleTargetRef().endSpec().build())
                .create();
    }

    public static void createV2beta2(KubernetesClient client, String namespace, String name, String kind,
            String target) {
        client.autoscaling().v2beta2().horizontalPodAutoscalers().inNamespace(namespace).resource(
                new io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscalerBuilder()
                        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                        .withNewSpec().withMinReplicas(2).withMaxReplicas(10)
                        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind(kind).withName(target)
                        .endScaleTargetRef().endSpec().build())
                .create();
    }

    public static void createV1(KubernetesClient client, String namespace, String name, String kind, String target) {
        client.autoscaling().v1().horizontalPodAutoscalers().inNamespace(namespace).resource(
                new io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscalerBuilder()
                        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                        .withNewSpec().withMinReplicas(2).withMaxReplicas(10).withTargetCPUUtilizationPercentage(80)
                        .withNewScaleTargetRef().withApiVersion("apps/v1").withKind(kind).withName(target)
                        .endScaleTargetRef().endSpec().build())
                .create();
    }
}
