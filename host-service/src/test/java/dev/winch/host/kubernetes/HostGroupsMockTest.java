package dev.winch.host.kubernetes;

import static dev.winch.host.kubernetes.Cluster.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winch.host.model.Host;
import dev.winch.host.model.HostGroup;
import dev.winch.host.model.HostLabels;
import dev.winch.host.model.HostState;
import dev.winch.host.model.MachineOwner;
import dev.winch.host.model.Provider;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.testkit.SandboxKubernetes;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reading a group from Nodes and Cluster API objects in the mock API server. */
class HostGroupsMockTest {

    private static final Map<String, String> GROUP = Map.of("pool", "workers", "zone", "a");

    private SandboxKubernetes kubernetes;
    private Cluster cluster;
    private HostGroups groups;

    @BeforeEach
    void start() {
        kubernetes = SandboxKubernetes.start();
        cluster = new Cluster(kubernetes.client());
        groups = new HostGroups(kubernetes.client());
    }

    @AfterEach
    void stop() {
        kubernetes.close();
    }

    @Test
    void aGroupIsEveryNodeCarryingAllTheLabels() {
        cluster.create(node("both", GROUP));
        cluster.create(node("both-and-more", Map.of("pool", "workers", "zone", "a", "gpu", "yes")));
        cluster.create(node("pool-only", Map.of("pool", "workers")));
        cluster.create(node("other-zone", Map.of("pool", "workers", "zone", "b")));

        HostGroup group = groups.read(GROUP);

        assertThat(group.hosts()).extracting(Host::name).containsExactlyInAnyOrder("both", "both-and-more");
        assertThat(group.key()).isEqualTo("pool=workers,zone=a");
    }

    @Test
    void anEmptyValueOnlyNeedsTheKey() {
        cluster.create(node("a", Map.of("pool", "workers", "gpu", "t4")));
        cluster.create(node("b", Map.of("pool", "workers")));

        assertThat(groups.read(Map.of("pool", "workers", "gpu", "")).hosts()).extracting(Host::name)
                .containsExactly("a");
    }

    @Test
    void mapsEveryNodeToItsState() {
        cluster.create(node("active", GROUP));
        cluster.create(node("disconnected", GROUP).ready("False"));
        cluster.create(node("reconnecting", GROUP).ready("Unknown"));
        cluster.create(node("no-condition", GROUP).ready(null));
        cluster.create(node("inactive", GROUP).cordoned());
        cluster.create(node("deactivating", GROUP).drainingBy("evt-1"));
        cluster.create(node("error", GROUP).annotation(HostLabels.HOST_ERROR, "disk gone"));

        Map<String, Host> hosts = byName(groups.read(GROUP));

        assertThat(hosts.get("active").state()).isEqualTo(HostState.ACTIVE);
        assertThat(hosts.get("disconnected").state()).isEqualTo(HostState.DISCONNECTED);
        assertThat(hosts.get("reconnecting").state()).isEqualTo(HostState.RECONNECTING);
        assertThat(hosts.get("no-condition").state()).isEqualTo(HostState.RECONNECTING);
        assertThat(hosts.get("inactive").state()).isEqualTo(HostState.INACTIVE);
        assertThat(hosts.get("deactivating").state()).isEqualTo(HostState.DEACTIVATING);
        assertThat(hosts.get("error").state()).isEqualTo(HostState.ERROR);
        assertThat(hosts.get("error").stateCause()).isEqualTo("disk gone");
        assertThat(hosts.get("active").created()).isEqualTo(java.time.Instant.parse(kubernetes.client().nodes()
                .withName("active").get().getMetadata().getCreationTimestamp()));
    }

    @Test
    void findsTheMachineDeploymentOfAClusterApiNode() {
        cluster.machineDeployment("workers-md", 2);
        cluster.machineSet("workers-ms", 2, "workers-md");
        cluster.machine("m-1", "workers-ms", "Running");
        cluster.machine("m-2", "workers-ms", "Failed");
        cluster.create(node("n-1", GROUP).machine("m-1"));
        cluster.create(node("n-2", GROUP).machine("m-2"));

        Map<String, Host> hosts = byName(groups.read(GROUP));

        Host running = hosts.get("n-1");
        assertThat(running.provider()).isEqualTo(Provider.CLUSTER_API);
        assertThat(running.machine()).contains("capi/m-1");
        assertThat(running.owner()).contains(new MachineOwner("capi", "MachineDeployment", "workers-md"));
        assertThat(running.state()).isEqualTo(HostState.ACTIVE);
        Host failed = hosts.get("n-2");
        assertThat(failed.state()).isEqualTo(HostState.ERROR);
        assertThat(failed.stateCause()).contains("m-2").contains("instance quota exceeded");
    }

    @Test
    void aMachineSetNoMachineDeploymentOwnsIsTheOwner() {
        cluster.machineSet("lone-ms", 1, null);
        cluster.machine("m-1", "lone-ms", "Running");
        cluster.create(node("n-1", GROUP).machine("m-1"));

        assertThat(groups.read(GROUP).hosts().get(0).owner())
                .contains(new MachineOwner("capi", "MachineSet", "lone-ms"));
    }

    @Test
    void providersAreDecidedFromTheNode() {
        cluster.create(node("scripted", GROUP).exec());
        cluster.create(node("by-hand", GROUP));
        cluster.create(node("machine-gone", GROUP).machine("no-such-machine"));
        cluster.machine("bare", null, "Running");
        cluster.create(node("bare-machine", GROUP).machine("bare"));

        Map<String, Host> hosts = byName(groups.read(GROUP));

        assertThat(hosts.get("scripted").provider()).isEqualTo(Provider.EXEC);
        assertThat(hosts.get("by-hand").provider()).isEqualTo(Provider.CUSTOM);
        assertThat(hosts.get("machine-gone").provider()).isEqualTo(Provider.CUSTOM);
        assertThat(hosts.get("machine-gone").stateCause()).contains("does not exist");
        assertThat(hosts.get("bare-machine").provider()).isEqualTo(Provider.CUSTOM);
    }

    @Test
    void countsMachinesAskedForWhoseNodesHaveNotJoinedAndTheIdsOnTheirOwner() {
        cluster.machineDeployment("workers-md", 4);
        var md = cluster.get("MachineDeployment", "workers-md");
        md.getMetadata().setAnnotations(Map.of(AppliedEvents.ANNOTATION, "evt-1,evt-2"));
        ClusterApi.resources(kubernetes.client(), "MachineDeployment").inNamespace("capi").resource(md).update();
        cluster.machineSet("workers-ms", 4, "workers-md");
        cluster.machine("m-1", "workers-ms", "Running");
        cluster.machine("m-2", "workers-ms", "Running");
        cluster.create(node("n-1", GROUP).machine("m-1"));
        cluster.create(node("n-2", GROUP).machine("m-2"));

        HostGroup group = groups.read(GROUP);

        assertThat(group.pending()).isEqualTo(2);
        assertThat(group.ownerEventIds()).containsExactlyInAnyOrder("evt-1", "evt-2");
    }

    @Test
    void describesANodeForTheExecProvider() throws Exception {
        cluster.create(node("scripted", GROUP).exec());

        Optional<String> description = groups.describe("scripted", "pool=workers,zone=a");

        JsonNode json = new ObjectMapper().readTree(description.orElseThrow());
        assertThat(json.get("name").asText()).isEqualTo("scripted");
        assertThat(json.get("group").asText()).isEqualTo("pool=workers,zone=a");
        assertThat(json.get("labels").get("pool").asText()).isEqualTo("workers");
        assertThat(json.get("providerID").asText()).isEqualTo("test://scripted");
        assertThat(json.get("capacity").get("cpu").asText()).isEqualTo("4");
        assertThat(groups.describe("missing", "x")).isEmpty();
    }

    @Test
    void readinessListsTheGroupsNodes() {
        cluster.create(node("a", GROUP));
        cluster.create(node("b", GROUP).ready("False"));

        assertThat(groups.readiness(GROUP)).containsExactly(Map.entry("a", true), Map.entry("b", false));
    }

    private static Map<String, Host> byName(HostGroup group) {
        return group.hosts().stream().collect(Collectors.toMap(Host::name, Function.identity()));
    }
}
