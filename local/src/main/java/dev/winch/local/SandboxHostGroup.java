package dev.winch.local;

import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's host group for the host service: the seeded worker Nodes ({@code winch.dev/group=workers}) become
 * the Nodes of Cluster API Machines of MachineDeployment {@code demo/workers}, so {@code hosts-up} clones one (its
 * replicas go up) and {@code hosts-down} drains and removes one (NotReady {@code node-c} first). The Cluster API
 * CustomResourceDefinitions are installed first, as on a cluster running Cluster API: the mock server then answers
 * discovery for {@code cluster.x-k8s.io}. No Cluster API controller runs: a clone raises the replicas, no Node joins.
 */
final class SandboxHostGroup {

    static final String NAMESPACE = SandboxKubernetes.DEMO_NAMESPACE;
    static final String DEPLOYMENT = "workers";
    static final List<String> NODES = List.of("node-a", "node-b", "node-c");

    private static final String GROUP = "cluster.x-k8s.io";
    private static final String VERSION = "v1beta1";

    private SandboxHostGroup() {
    }

    static void seed(KubernetesClient client) {
        for (String[] kind : new String[][] {{"Machine", "machines"}, {"MachineSet", "machinesets"},
                {"MachineDeployment", "machinedeployments"}}) {
            client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                    .withNewMetadata().withName(kind[1] + "." + GROUP).endMetadata()
                    .withNewSpec().withGroup(GROUP).withScope("Namespaced")
                    .withNewNames().withKind(kind[0]).withPlural(kind[1]).withSingular(kind[0].toLowerCase())
                    .endNames()
                    .addNewVersion().withName(VERSION).withServed(true).withStorage(true).endVersion()
                    .endSpec().build()).create();
        }
        create(client, "MachineDeployment", "machinedeployments", DEPLOYMENT, null, null, NODES.size());
        create(client, "MachineSet", "machinesets", DEPLOYMENT + "-7f9c", "MachineDeployment", DEPLOYMENT,
                NODES.size());
        for (String node : NODES) {
            String machine = DEPLOYMENT + "-7f9c-" + node.substring(node.length() - 1);
            create(client, "Machine", "machines", machine, "MachineSet", DEPLOYMENT + "-7f9c", null);
            client.nodes().withName(node).edit(n -> {
                Map<String, String> annotations = n.getMetadata().getAnnotations() == null ? new HashMap<>()
                        : new HashMap<>(n.getMetadata().getAnnotations());
                annotations.put("cluster.x-k8s.io/machine", machine);
                annotations.put("cluster.x-k8s.io/cluster-namespace", NAMESPACE);
                n.getMetadata().setAnnotations(annotations);
                return n;
            });
        }
    }

    private static void create(KubernetesClient client, String kind, String plural, String name, String ownerKind,
            String owner, Integer replicas) {
        GenericKubernetesResourceBuilder builder = new GenericKubernetesResourceBuilder()
                .withApiVersion(GROUP + "/" + VERSION).withKind(kind)
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata();
        if (owner != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(GROUP + "/" + VERSION)
                    .withKind(ownerKind).withName(owner).withUid(owner + "-uid").withController(true).build())
                    .endMetadata();
        }
        GenericKubernetesResource object = builder.build();
        if (replicas != null) {
            object.setAdditionalProperty("spec", new HashMap<>(Map.of("replicas", replicas, "clusterName", "sandbox")));
        } else {
            object.setAdditionalProperty("status", Map.of("phase", "Running"));
        }
        client.genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup(GROUP)
                        .withVersion(VERSION).withKind(kind).withPlural(plural).withNamespaced(true).build())
                .inNamespace(NAMESPACE).resource(object).create();
    }
}
