package dev.winch.host.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.util.Map;
import java.util.Optional;

/**
 * The Cluster API kinds the host service reads and writes, as generic resources with an explicit
 * {@link ResourceDefinitionContext} ({@code cluster.x-k8s.io/v1beta1}): no Cluster API jars, no discovery.
 */
final class ClusterApi {

    static final String GROUP = "cluster.x-k8s.io";
    static final String VERSION = "v1beta1";
    static final String API_VERSION = GROUP + "/" + VERSION;

    static final ResourceDefinitionContext MACHINES = context("Machine", "machines");
    static final ResourceDefinitionContext MACHINE_SETS = context("MachineSet", "machinesets");
    static final ResourceDefinitionContext MACHINE_DEPLOYMENTS = context("MachineDeployment", "machinedeployments");

    private ClusterApi() {
    }

    private static ResourceDefinitionContext context(String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(GROUP).withVersion(VERSION).withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }

    static ResourceDefinitionContext of(String kind) {
        return switch (kind) {
            case "Machine" -> MACHINES;
            case "MachineSet" -> MACHINE_SETS;
            case "MachineDeployment" -> MACHINE_DEPLOYMENTS;
            default -> throw new IllegalArgumentException("not a Cluster API kind the host service uses: " + kind);
        };
    }

    static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> resources(KubernetesClient client, String kind) {
        return client.genericKubernetesResources(of(kind));
    }

    /** The owner of {@code kind} in the Cluster API group, the controller first. */
    static Optional<String> owner(GenericKubernetesResource object, String kind) {
        if (object.getMetadata().getOwnerReferences() == null) {
            return Optional.empty();
        }
        return object.getMetadata().getOwnerReferences().stream()
                .filter(ref -> kind.equals(ref.getKind()) && ref.getApiVersion() != null
                        && ref.getApiVersion().startsWith(GROUP + "/"))
                .sorted((a, b) -> Boolean.compare(Boolean.TRUE.equals(b.getController()),
                        Boolean.TRUE.equals(a.getController())))
                .map(OwnerReference::getName)
                .findFirst();
    }

    /** {@code spec.replicas}, 0 when absent. */
    static int replicas(GenericKubernetesResource object) {
        Object spec = object.getAdditionalProperties().get("spec");
        if (spec instanceof Map<?, ?> map && map.get("replicas") instanceof Number number) {
            return number.intValue();
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    static void setReplicas(GenericKubernetesResource object, int replicas) {
        Map<String, Object> spec = (Map<String, Object>) object.getAdditionalProperties()
                .computeIfAbsent("spec", k -> new java.util.LinkedHashMap<String, Object>());
        spec.put("replicas", replicas);
    }

    /** {@code status.<field>} as text, when present. */
    static Optional<String> status(GenericKubernetesResource object, String field) {
        Object status = object.getAdditionalProperties().get("status");
        if (status instanceof Map<?, ?> map && map.get(field) != null) {
            return Optional.of(String.valueOf(map.get(field)));
        }
        return Optional.empty();
    }
}
