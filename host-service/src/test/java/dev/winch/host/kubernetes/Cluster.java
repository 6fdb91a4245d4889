package dev.winch.host.kubernetes;

import dev.winch.host.model.HostAnnotations;
import dev.winch.host.model.HostLabels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Nodes and Cluster API objects in the mock API server, as a cluster would hold them. */
public final class Cluster {

    public static final String CAPI_NS = "capi";

    private final KubernetesClient client;

    public Cluster(KubernetesClient client) {
        this.client = client;
        installClusterApi(client);
    }

    /**
     * The Cluster API CustomResourceDefinitions, as a cluster running Cluster API has them: the mock server then
     * answers discovery for {@code cluster.x-k8s.io/v1beta1}, as a real one does.
     */
    public static void installClusterApi(KubernetesClient client) {
        for (String[] kind : new String[][] {{"Machine", "machines"}, {"MachineSet", "machinesets"},
                {"MachineDeployment", "machinedeployments"}}) {
            client.apiextensions().v1().customResourceDefinitions().resource(
                    new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
                            .withNewMetadata().withName(kind[1] + "." + ClusterApi.GROUP).endMetadata()
                            .withNewSpec().withGroup(ClusterApi.GROUP).withScope("Namespaced")
                            .withNewNames().withKind(kind[0]).withPlural(kind[1])
                            .withSingular(kind[0].toLowerCase()).endNames()
                            .addNewVersion().withName(ClusterApi.VERSION).withServed(true).withStorage(true)
                            .endVersion()
                            .endSpec().build()).create();
        }
    }

    public KubernetesClient client() {
        return client;
    }

    /** A Node to create: Ready, schedulable, with {@code labels}. */
    public static NodeSpec node(String name, Map<String, String> labels) {
        return new NodeSpec(name, labels);
    }

    /** A Node to be. */
    public static final class NodeSpec {
        final String name;
        final Map<String, String> labels;
        final Map<String, String> annotations = new LinkedHashMap<>();
        String ready = "True";
        boolean unschedulable;

        NodeSpec(String name, Map<String, String> labels) {
            this.name = name;
            this.labels = new LinkedHashMap<>(labels);
        }

        public NodeSpec ready(String status) {
            this.ready = status;
            return this;
        }

        public NodeSpec cordoned() {
            this.unschedulable = true;
            return this;
        }

        public NodeSpec drainingBy(String eventId) {
            this.unschedulable = true;
            annotations.put(HostAnnotations.DRAINING, eventId);
            return this;
        }

        public NodeSpec machine(String machine) {
            annotations.put(HostLabels.CAPI_MACHINE, machine);
            annotations.put(HostLabels.CAPI_CLUSTER_NAMESPACE, CAPI_NS);
            return this;
        }

        public NodeSpec exec() {
            labels.put(HostLabels.PROVIDER, HostLabels.EXEC);
            return this;
        }

        public NodeSpec annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        Node build() {
            NodeBuilder builder = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels)
                    .withAnnotations(annotations)
                    .endMetadata()
                    .withNewSpec().withUnschedulable(unschedulable).withProviderID("test://" + name).endSpec();
            if (ready != null) {
                builder.withNewStatus().addNewCondition().withType("Ready").withStatus(ready).endCondition()
                        .addToCapacity("cpu", new io.fabric8.kubernetes.api.model.Quantity("4"))
                        .endStatus();
            }
            return builder.build();
        }
    }

    public Node create(NodeSpec spec) {
        // The mock server stamps creationTimestamp with the time of the create (to the second), as a real server
        // does, and keeps it on updates: ages come from the order of creation. The order by age is the plan's
        // (HostPlanTest); these tests check that the age read is the Node's.
        return client.nodes().resource(spec.build()).create();
    }

    public GenericKubernetesResource machineDeployment(String name, int replicas) {
        return create("MachineDeployment", name, replicas, null, null);
    }

    public GenericKubernetesResource machineSet(String name, int replicas, String deployment) {
        return create("MachineSet", name, replicas, deployment == null ? null : "MachineDeployment", deployment);
    }

    public GenericKubernetesResource machine(String name, String machineSet, String phase) {
        GenericKubernetesResource machine = build("Machine", name, null, machineSet == null ? null : "MachineSet",
                machineSet);
        Map<String, Object> status = new HashMap<>();
        status.put("phase", phase);
        if ("Failed".equals(phase)) {
            status.put("failureReason", "CreateError");
            status.put("failureMessage", "instance quota exceeded");
        }
        machine.setAdditionalProperty("status", status);
        return ClusterApi.resources(client, "Machine").inNamespace(CAPI_NS).resource(machine).create();
    }

    public GenericKubernetesResource get(String kind, String name) {
        return ClusterApi.resources(client, kind).inNamespace(CAPI_NS).withName(name).get();
    }

    public int replicas(String kind, String name) {
        return ClusterApi.replicas(get(kind, name));
    }

    private GenericKubernetesResource create(String kind, String name, Integer replicas, String ownerKind,
            String owner) {
        return ClusterApi.resources(client, kind).inNamespace(CAPI_NS)
                .resource(build(kind, name, replicas, ownerKind, owner)).create();
    }

    private static GenericKubernetesResource build(String kind, String name, Integer replicas, String ownerKind,
            String owner) {
        GenericKubernetesResourceBuilder builder = new GenericKubernetesResourceBuilder()
                .withApiVersion(ClusterApi.API_VERSION).withKind(kind)
                .withNewMetadata().withName(name).withNamespace(CAPI_NS).endMetadata();
        if (owner != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(ClusterApi.API_VERSION)
                    .withKind(ownerKind).withName(owner).withUid(owner + "-uid").withController(true).build())
                    .endMetadata();
        }
        GenericKubernetesResource object = builder.build();
        if (replicas != null) {
            Map<String, Object> spec = new HashMap<>();
            spec.put("replicas", replicas);
            spec.put("clusterName", "demo");
            object.setAdditionalProperty("spec", spec);
        }
        return object;
    }
}
