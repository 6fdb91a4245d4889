package dev.winch.local;

import dev.winch.testkit.ClusterApiSandbox;
import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.client.KubernetesClient;
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


    private SandboxHostGroup() {
    }

    static void seed(KubernetesClient client) {
        ClusterApiSandbox clusterApi = new ClusterApiSandbox(client, NAMESPACE).installCrds();
        clusterApi.machineDeployment(DEPLOYMENT, DEPLOYMENT + "-7f9c", NODES.size(), Map.of("clusterName", "sandbox"));
        for (String node : NODES) {
            String machine = DEPLOYMENT + "-7f9c-" + node.substring(node.length() - 1);
            clusterApi.machine(machine, DEPLOYMENT + "-7f9c");
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
}
