package dev.winch.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.host.kubernetes.ClusterApiMachines;
import dev.winch.host.kubernetes.HostGroups;
import dev.winch.host.model.Host;
import dev.winch.host.model.HostGroup;
import dev.winch.host.model.HostState;
import dev.winch.host.model.MachineOwner;
import dev.winch.host.model.Provider;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.testkit.SandboxKubernetes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local run's host group is one the host service reads as Cluster API hosts and can clone. */
class SandboxHostGroupMockTest {

    @Test
    void theSeededWorkersAreClusterApiHostsOfOneMachineDeployment() {
        try (SandboxKubernetes sandbox = SandboxKubernetes.start()) {
            sandbox.seedDemo();
            SandboxHostGroup.seed(sandbox.client());

            HostGroup group = new HostGroups(sandbox.client()).read(Map.of("winch.dev/group", "workers"));

            MachineOwner workers = new MachineOwner("demo", MachineOwner.MACHINE_DEPLOYMENT, "workers");
            assertThat(group.hosts()).extracting(Host::name).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
            assertThat(group.hosts()).allSatisfy(h -> {
                assertThat(h.provider()).isEqualTo(Provider.CLUSTER_API);
                assertThat(h.owner()).contains(workers);
            });
            assertThat(group.hosts()).filteredOn(h -> h.name().equals("node-c")).extracting(Host::state)
                    .containsExactly(HostState.DISCONNECTED);
            assertThat(group.pending()).isZero();
            assertThat(new ClusterApiMachines(sandbox.client()).raise(workers, 1, "evt-1"))
                    .isInstanceOf(UpdateResult.Written.class);
        }
    }
}
