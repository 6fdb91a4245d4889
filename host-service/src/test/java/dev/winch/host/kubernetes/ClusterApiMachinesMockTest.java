package dev.winch.host.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.host.kubernetes.ClusterApiMachines.ReplicaChange;
import dev.winch.host.model.HostLabels;
import dev.winch.host.model.MachineOwner;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Cluster API provider's writes against the mock API server. */
class ClusterApiMachinesMockTest {

    private static final MachineOwner MD = new MachineOwner("capi", "MachineDeployment", "workers-md");

    private SandboxKubernetes kubernetes;
    private Cluster cluster;
    private ClusterApiMachines machines;

    @BeforeEach
    void start() {
        kubernetes = SandboxKubernetes.start();
        cluster = new Cluster(kubernetes.client());
        machines = new ClusterApiMachines(kubernetes.client());
        cluster.machineDeployment("workers-md", 3);
        cluster.machineSet("workers-ms", 3, "workers-md");
        cluster.machine("m-1", "workers-ms", "Running");
        cluster.machine("m-2", "workers-ms", "Running");
        cluster.machine("m-3", "workers-ms", "Running");
    }

    @AfterEach
    void stop() {
        kubernetes.close();
    }

    @Test
    void raisesReplicasWithTheEventIdInTheSameWrite() {
        UpdateResult<GenericKubernetesResource, ReplicaChange> result = machines.raise(MD, 2, "evt-up");

        assertThat(result).isInstanceOf(UpdateResult.Written.class);
        assertThat(result.decision()).isEqualTo(new ReplicaChange(MD, 3, 5, false));
        GenericKubernetesResource md = cluster.get("MachineDeployment", "workers-md");
        assertThat(ClusterApi.replicas(md)).isEqualTo(5);
        assertThat(AppliedEvents.ids(md.getMetadata().getAnnotations())).containsExactly("evt-up");
        // the rest of the spec is kept
        assertThat(md.getAdditionalProperties().get("spec").toString()).contains("clusterName=demo");
    }

    @Test
    void aRedeliveredRaiseChangesNothing() {
        machines.raise(MD, 2, "evt-up");
        String version = cluster.get("MachineDeployment", "workers-md").getMetadata().getResourceVersion();

        UpdateResult<GenericKubernetesResource, ReplicaChange> again = machines.raise(MD, 2, "evt-up");

        assertThat(again).isInstanceOf(UpdateResult.Unchanged.class);
        assertThat(again.decision().duplicate()).isTrue();
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(5);
        assertThat(cluster.get("MachineDeployment", "workers-md").getMetadata().getResourceVersion())
                .isEqualTo(version);
    }

    @Test
    void marksExactlyTheChosenMachinesAndLowersReplicas() {
        UpdateResult<GenericKubernetesResource, ReplicaChange> result =
                machines.remove(MD, java.util.List.of("capi/m-1", "capi/m-3"), "evt-down");

        assertThat(result.decision()).isEqualTo(new ReplicaChange(MD, 3, 1, false));
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(1);
        assertThat(annotation("m-1")).isEqualTo("winch evt-down");
        assertThat(annotation("m-3")).isEqualTo("winch evt-down");
        assertThat(annotation("m-2")).isNull();

        UpdateResult<GenericKubernetesResource, ReplicaChange> again =
                machines.remove(MD, java.util.List.of("capi/m-1", "capi/m-3"), "evt-down");
        assertThat(again.decision().duplicate()).isTrue();
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(1);
    }

    @Test
    void aMissingOwnerIsGone() {
        MachineOwner missing = new MachineOwner("capi", "MachineSet", "nope");

        assertThat(machines.raise(missing, 1, "evt")).isInstanceOf(UpdateResult.Gone.class);
        assertThat(machines.markForDeletion("capi/nope", "evt")).isFalse();
    }

    private String annotation(String machine) {
        var annotations = cluster.get("Machine", machine).getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(HostLabels.CAPI_DELETE_MACHINE);
    }
}
