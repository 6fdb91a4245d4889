package dev.winch.testkit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Cluster API objects in a sandbox API server, as a Cluster API controller would leave them: a MachineDeployment
 * owning a MachineSet owning Machines (running). The CRDs come first: the mock server writes a generic resource
 * back (an update with its resourceVersion) only when its CRD exists, as a real API server does.
 */
public final class ClusterApiSandbox {

    public static final String GROUP = "cluster.x-k8s.io";
    public static final String VERSION = "v1beta1";

    private final KubernetesClient client;
    private final String namespace;

    public ClusterApiSandbox(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** The CRDs of Machine, MachineSet and MachineDeployment. */
    public ClusterApiSandbox installCrds() {
        for (String[] kind : new String[][] {{"Machine", "machines"}, {"MachineSet", "machinesets"},
                {"MachineDeployment", "machinedeployments"}}) {
            client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(kind[1] + "." + GROUP).endMetadata()
                    .withNewSpec().withGroup(GROUP).withScope("Namespaced")
                    .withNewNames().withKind(kind[0]).withPlural(kind[1])
                    .withSingular(kind[0].toLowerCase(Locale.ROOT)).endNames()
                    .addNewVersion().withName(VERSION).withServed(true).withStorage(true).endVersion()
                    .endSpec().build()).create();
        }
        return this;
    }

    /** MachineDeployment {@code name} of {@code replicas} (and {@code spec}'s other fields), with MachineSet {@code machineSet}. */
    public void machineDeployment(String name, String machineSet, int replicas, Map<String, Object> spec) {
        Map<String, Object> withReplicas = new HashMap<>(spec);
        withReplicas.put("replicas", replicas);
        create("MachineDeployment", "machinedeployments", name, null, null, withReplicas);
        create("MachineSet", "machinesets", machineSet, "MachineDeployment", name, Map.of("replicas", replicas));
    }

    /** A running Machine of {@code machineSet}. */
    public void machine(String name, String machineSet) {
        create("Machine", "machines", name, "MachineSet", machineSet, null);
    }

    private void create(String kind, String plural, String name, String ownerKind, String owner,
            Map<String, Object> spec) {
        GenericKubernetesResourceBuilder builder = new GenericKubernetesResourceBuilder()
                .withApiVersion(GROUP + "/" + VERSION).withKind(kind)
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata();
        if (owner != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(GROUP + "/" + VERSION)
                    .withKind(ownerKind).withName(owner).withUid(owner + "-uid").withController(true).build())
                    .endMetadata();
        }
        GenericKubernetesResource object = builder.build();
        if (spec != null) {
            object.setAdditionalProperty("spec", new HashMap<>(spec));
        } else {
            object.setAdditionalProperty("status", Map.of("phase", "Running"));
        }
        client.genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup(GROUP)
                        .withVersion(VERSION).withKind(kind).withPlural(plural).withNamespaced(true).build())
                .inNamespace(namespace).resource(object).create();
    }
}
