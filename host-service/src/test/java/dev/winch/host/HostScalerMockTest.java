package dev.winch.host;

import static dev.winch.host.kubernetes.Cluster.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.runtime.Blocking;
import dev.winch.host.kubernetes.Cluster;
import dev.winch.host.kubernetes.ClusterApiMachines;
import dev.winch.host.kubernetes.ClusterApiProvider;
import dev.winch.host.kubernetes.HostGroups;
import dev.winch.host.kubernetes.HostLedger;
import dev.winch.host.model.HostLabels;
import dev.winch.host.model.Ledger;
import dev.winch.host.provider.CustomHosts;
import dev.winch.host.provider.exec.ExecProvider;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.testkit.MutableClock;
import dev.winch.testkit.SandboxKubernetes;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One request at a time against the mock API server, with a fake drainer and a fake exec runner. */
class HostScalerMockTest {

    private static final Map<String, String> GROUP = Map.of("pool", "workers");
    private static final String KEY = "pool=workers";
    private static final List<String> COMMAND = List.of("/opt/hosts/provision");
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static Vertx vertx;
    private static Blocking blocking;

    private SandboxKubernetes kubernetes;
    private KubernetesClient client;
    private Cluster cluster;
    private FakeDrainer drainer;
    private FakeRunner runner;
    private HostLedger ledger;
    private final MutableClock clock = new MutableClock(NOW);

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        blocking = new Blocking(vertx.createSharedWorkerExecutor("host-mock-test", 2), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() {
        kubernetes = SandboxKubernetes.start();
        client = kubernetes.client();
        cluster = new Cluster(client);
        drainer = new FakeDrainer();
        // the command's host joins the group as it would: labelled with the group's labels and exec
        runner = new FakeRunner(request -> {
            if ("create".equals(request.environment().get("WINCH_ACTION"))) {
                cluster.create(node(request.environment().get("WINCH_HOST_NAME"), GROUP).exec());
            }
        });
        ledger = new HostLedger(client, "winch");
    }

    @AfterEach
    void stop() {
        kubernetes.close();
    }

    private HostScaler scaler() {
        HostGroups groups = new HostGroups(client);
        return new HostScaler(groups, ledger, blocking, drainer, List.of(
                new ClusterApiProvider(new ClusterApiMachines(client), blocking), new CustomHosts(),
                new ExecProvider(runner, COMMAND, Duration.ofSeconds(10),
                        (n, g) -> blocking.call(() -> groups.describe(n, g)))),
                clock, "test-1", Duration.ofMinutes(10));
    }

    private HostScaler.Decision scale(Event<HostScaleRequested> event) throws Exception {
        Future<HostScaler.Decision> decision = scaler().scale(event);
        return decision.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Event<HostScaleRequested> up(String id, int amount, int min, int max) {
        return new Event<>(id, URI.create("/test"), NOW,
                new HostScaleRequested("hosts-up", GROUP, ScaleAction.UP, amount, min, max, null));
    }

    private static Event<HostScaleRequested> down(String id, int amount, int min, int max, String option) {
        return new Event<>(id, URI.create("/test"), NOW,
                new HostScaleRequested("hosts-down", GROUP, ScaleAction.DOWN, amount, min, max, option));
    }

    /** A MachineDeployment of {@code n} Machines, each with its Node in the group: n-1 ... n-n. */
    private void capiGroup(int n) {
        cluster.machineDeployment("workers-md", n);
        cluster.machineSet("workers-ms", n, "workers-md");
        for (int i = 1; i <= n; i++) {
            cluster.machine("m-" + i, "workers-ms", "Running");
            cluster.create(node("n-" + i, GROUP).machine("m-" + i));
        }
    }

    private List<String> nodes() {
        return client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).sorted().toList();
    }

    // --- up ---

    @Test
    void clonesAClusterApiHostByRaisingItsMachineDeployment() throws Exception {
        capiGroup(2);

        HostScaler.Decision decision = scale(up("evt-up", 2, 1, 10));

        ActionResult result = decision.result();
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.target()).isEqualTo(KEY);
        assertThat(result.reason()).contains("asked Cluster API for 2 more host(s)")
                .contains("capi/MachineDeployment/workers-md").contains("2 → 4");
        assertThat(result.details()).containsEntry("from", "2").containsEntry("to", "4")
                .containsEntry("clamped", "false").containsEntry("provider", "cluster-api")
                .containsEntry("machineDeployment", "capi/workers-md").containsEntry("instance", "test-1");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(4);
        assertThat(AppliedEvents.ids(cluster.get("MachineDeployment", "workers-md").getMetadata()
                .getAnnotations())).containsExactly("evt-up");
        assertThat(decision.join()).hasValueSatisfying(join -> {
            assertThat(join.count()).isEqualTo(2);
            assertThat(join.baseline()).containsExactlyInAnyOrder("n-1", "n-2");
            assertThat(join.deadline()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        });
    }

    @Test
    void theOldestHostPicksWhichMachineDeploymentGrowsWhenTheGroupSpansSeveral() throws Exception {
        // The newer pool's objects are made first, so neither the MachineDeployment's age nor its size nor the
        // names (a tie on age goes to the first name, "aa-...") would pick the older pool: only the Nodes' ages do.
        cluster.machineDeployment("aa-new-md", 2);
        cluster.machineSet("aa-new-ms", 2, "aa-new-md");
        cluster.machineDeployment("zz-old-md", 1);
        cluster.machineSet("zz-old-ms", 1, "zz-old-md");
        cluster.machine("zz-old-m-1", "zz-old-ms", "Running");
        Node oldest = cluster.create(node("zz-old-1", GROUP).machine("zz-old-m-1"));
        // The API server stamps creationTimestamp at the create, to the second, and keeps it through every update
        // (the mock server too: a PUT or PATCH cannot change it): the newer Nodes are made once its clock has
        // moved past the oldest one's second.
        Instant oldestCreated = Instant.parse(oldest.getMetadata().getCreationTimestamp());
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS).isAfter(oldestCreated));
        for (int i = 1; i <= 2; i++) {
            cluster.machine("aa-new-m-" + i, "aa-new-ms", "Running");
            Node newer = cluster.create(node("aa-new-" + i, GROUP).machine("aa-new-m-" + i));
            assertThat(Instant.parse(newer.getMetadata().getCreationTimestamp())).isAfter(oldestCreated);
        }

        ActionResult result = scale(up("evt-up", 1, 1, 10)).result();

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("template", "zz-old-1")
                .containsEntry("machineDeployment", "capi/zz-old-md").containsEntry("replicas.zz-old-md", "1->2");
        assertThat(cluster.replicas("MachineDeployment", "zz-old-md")).isEqualTo(2);
        assertThat(cluster.replicas("MachineDeployment", "aa-new-md")).isEqualTo(2);
        assertThat(AppliedEvents.ids(cluster.get("MachineDeployment", "aa-new-md").getMetadata().getAnnotations()))
                .isEmpty();
    }

    @Test
    void aRedeliveredCloneIsADuplicateAndChangesNothing() throws Exception {
        capiGroup(2);
        scale(up("evt-up", 1, 1, 10));

        HostScaler.Decision again = scale(up("evt-up", 1, 1, 10));

        assertThat(again.result().outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(again.join()).isEmpty();
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(3);
    }

    @Test
    void aCloneWrittenButNotRecordedInTheLedgerBeforeACrashIsADuplicate() throws Exception {
        capiGroup(2);
        // the replica write of evt-up happened, then the process died before the ledger was written
        new ClusterApiMachines(client).raise(new dev.winch.host.model.MachineOwner("capi", "MachineDeployment",
                "workers-md"), 1, "evt-up");

        HostScaler.Decision again = scale(up("evt-up", 1, 1, 10));

        assertThat(again.result().outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(3);
        assertThat(ledger.read(KEY).isApplied("evt-up")).isTrue();
    }

    @Test
    void machinesStillBootingCountAgainstMax() throws Exception {
        capiGroup(2);
        scale(up("evt-1", 2, 1, 3));

        HostScaler.Decision second = scale(up("evt-2", 1, 1, 3));

        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(3);
        assertThat(second.result().outcome()).isEqualTo(Outcome.NOOP);
    }

    @Test
    void aGroupOfCustomHostsIsNotClonedAndNothingChanges() throws Exception {
        cluster.create(node("by-hand-1", GROUP));
        cluster.create(node("by-hand-2", GROUP));

        ActionResult result = scale(up("evt-up", 1, 1, 10)).result();

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.reason()).startsWith("custom hosts cannot be cloned");
        assertThat(result.details()).containsEntry("failure", "not-cloneable");
        assertThat(nodes()).containsExactly("by-hand-1", "by-hand-2");
        assertThat(client.configMaps().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void clonesAnExecHostWithNamesThatDoNotCollideAndOnlyOnce() throws Exception {
        cluster.create(node("scripted-1", GROUP).exec());

        HostScaler.Decision decision = scale(up("evt-up", 2, 1, 10));

        assertThat(decision.result().outcome()).isEqualTo(Outcome.APPLIED);
        List<String> made = runner.hostNames("create");
        assertThat(made).hasSize(2).doesNotHaveDuplicates().doesNotContain("scripted-1");
        assertThat(runner.requests).allSatisfy(r -> {
            assertThat(r.command()).isEqualTo(COMMAND);
            assertThat(r.environment()).containsEntry("WINCH_EVENT_ID", "evt-up").containsEntry("WINCH_GROUP", KEY)
                    .containsEntry("WINCH_TEMPLATE_NODE", "scripted-1");
            assertThat(r.stdin()).contains("\"name\":\"scripted-1\"");
        });
        assertThat(decision.result().details()).containsEntry("names", String.join(",", made));
        assertThat(decision.join()).hasValueSatisfying(join -> assertThat(join.names()).isEqualTo(made));
        assertThat(nodes()).containsAll(made);

        HostScaler.Decision again = scale(up("evt-up", 2, 1, 10));
        assertThat(again.result().outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(runner.requests).hasSize(2);
    }

    @Test
    void anExecCloneInterruptedByACrashAsksOnlyForTheNamesStillMissing() throws Exception {
        cluster.create(node("scripted-1", GROUP).exec());
        cluster.create(node("scripted-aaaaaa", GROUP).exec());
        // claimed before the crash; the first host was made, the second not
        ledger.change(KEY, l -> l.withClaim("evt-up", new Ledger.Claim(ScaleAction.UP,
                List.of("scripted-aaaaaa", "scripted-bbbbbb"), NOW)));

        HostScaler.Decision decision = scale(up("evt-up", 2, 1, 10));

        assertThat(runner.hostNames("create")).containsExactly("scripted-bbbbbb");
        assertThat(decision.result().outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(ledger.read(KEY).isApplied("evt-up")).isTrue();
    }

    // --- down ---

    @Test
    void removesInStateOrderDrainsThenDeletesMachinesAndNodes() throws Exception {
        capiGroup(3);
        client.nodes().withName("n-2").edit(n -> {
            n.getStatus().getConditions().get(0).setStatus("False");
            return n;
        });
        cluster.create(node("by-hand", GROUP).cordoned());

        ActionResult result = scale(down("evt-down", 2, 1, 10, null)).result();

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        // Inactive first (the cordoned custom host), then Disconnected (n-2); the Active ones stay
        assertThat(drainer.drained).containsExactlyInAnyOrder("by-hand", "n-2");
        assertThat(drainer.eventIds).containsOnly("evt-down");
        assertThat(nodes()).containsExactly("n-1", "n-3");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(2);
        assertThat(cluster.get("Machine", "m-2").getMetadata().getAnnotations())
                .containsEntry(HostLabels.CAPI_DELETE_MACHINE, "winch evt-down");
        assertThat(cluster.get("Machine", "m-1").getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(result.details()).containsEntry("from", "4").containsEntry("to", "2")
                .containsEntry("hosts", "by-hand,n-2").containsEntry("evicted", "2");
        assertThat(result.reason()).startsWith("removed 2 host(s) of group pool=workers: by-hand, n-2");

        HostScaler.Decision again = scale(down("evt-down", 2, 1, 10, null));
        assertThat(again.result().outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(nodes()).containsExactly("n-1", "n-3");
        assertThat(drainer.drained).hasSize(2);
    }

    @Test
    void aBlockedDrainLeavesTheHostAndNamesThePods() throws Exception {
        cluster.create(node("a", GROUP));
        cluster.create(node("b", GROUP).cordoned());
        cluster.create(node("c", GROUP).ready("Unknown"));
        drainer.block("b", "shop/db-0", "Cannot evict pod as it would violate the pod's disruption budget.");

        ActionResult result = scale(down("evt-down", 2, 0, 10, null)).result();

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(nodes()).containsExactly("a", "b");
        assertThat(result.details()).containsEntry("removed", "c")
                .containsEntry("blocked.b", "shop/db-0 (Cannot evict pod as it would violate the pod's "
                        + "disruption budget.)");
        assertThat(result.reason()).contains("b could not be drained and is left cordoned, blocked by shop/db-0");
    }

    @Test
    void aRemovalWhoseEveryHostIsBlockedFails() throws Exception {
        cluster.create(node("a", GROUP));
        cluster.create(node("b", GROUP).cordoned());
        drainer.block("b", "shop/db-0", "disruption budget");

        ActionResult result = scale(down("evt-down", 1, 0, 10, null)).result();

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.details()).containsEntry("failure", "drain-blocked");
        assertThat(nodes()).containsExactly("a", "b");
    }

    @Test
    void aRemovalRedeliveredAfterACrashGoesOnWithTheSameHosts() throws Exception {
        cluster.create(node("a", GROUP));
        cluster.create(node("b", GROUP));
        cluster.create(node("c", GROUP));
        // claimed a and b before the crash, and b was removed already; the plan now would choose c first
        ledger.change(KEY, l -> l.withClaim("evt-down", new Ledger.Claim(ScaleAction.DOWN, List.of("a", "b"), NOW)));
        client.nodes().withName("b").delete();

        ActionResult result = scale(down("evt-down", 2, 0, 10, null)).result();

        assertThat(drainer.drained).containsExactly("a");
        assertThat(nodes()).containsExactly("c");
        assertThat(result.details()).containsEntry("resumed", "true").containsEntry("removed", "a,b");
        assertThat(ledger.read(KEY).isApplied("evt-down")).isTrue();
        assertThat(ledger.read(KEY).claims()).isEmpty();
    }

    @Test
    void aRemovalStoppedAfterItsClusterApiWriteDeletesTheNodesWithoutChangingReplicasAgain() throws Exception {
        capiGroup(3);
        ledger.change(KEY, l -> l.withClaim("evt-down", new Ledger.Claim(ScaleAction.DOWN, List.of("n-2"), NOW)));
        // the Machine was marked and the replicas lowered, then the process died before deleting the Node
        new ClusterApiMachines(client).remove(new dev.winch.host.model.MachineOwner("capi", "MachineDeployment",
                "workers-md"), List.of("capi/m-2"), "evt-down");

        ActionResult result = scale(down("evt-down", 1, 1, 10, null)).result();

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("resumed", "true").containsEntry("removed", "n-2");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(2);
        assertThat(nodes()).containsExactly("n-1", "n-3");
        assertThat(scale(down("evt-down", 1, 1, 10, null)).result().outcome()).isEqualTo(Outcome.DUPLICATE);
    }

    @Test
    void removesExecHostsWithTheCommand() throws Exception {
        cluster.create(node("s-1", GROUP).exec());
        cluster.create(node("s-2", GROUP).exec());

        ActionResult result = scale(down("evt-down", 1, 0, 10, "leastRecent")).result();

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(runner.hostNames("delete")).hasSize(1);
        assertThat(nodes()).hasSize(1).doesNotContainAnyElementsOf(runner.hostNames("delete"));
    }

    @Test
    void anExecHostIsNotDrainedWhenNoCommandIsConfigured() throws Exception {
        cluster.create(node("s-1", GROUP).exec());
        cluster.create(node("by-hand", GROUP));
        HostGroups groups = new HostGroups(client);
        HostScaler withoutExec = new HostScaler(groups, ledger, blocking, drainer, List.of(
                new ClusterApiProvider(new ClusterApiMachines(client), blocking), new CustomHosts()),
                clock, "test-1", Duration.ofMinutes(10));
        client.nodes().withName("s-1").edit(n -> {
            n.getSpec().setUnschedulable(true);
            return n;
        });

        ActionResult result = withoutExec.scale(down("evt-down", 1, 0, 10, null))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).result();

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.reason()).contains("s-1 was not removed: no exec provider is configured");
        assertThat(drainer.drained).isEmpty();
        assertThat(nodes()).containsExactly("by-hand", "s-1");
    }

    @Test
    void atMinNothingIsRemoved() throws Exception {
        cluster.create(node("a", GROUP));

        ActionResult result = scale(down("evt-down", 1, 1, 10, null)).result();

        assertThat(result.outcome()).isEqualTo(Outcome.NOOP);
        assertThat(drainer.drained).isEmpty();
        assertThat(nodes()).containsExactly("a");
    }

    // --- bad input ---

    @Test
    void badInputFailsWithTheReasonAndChangesNothing() throws Exception {
        capiGroup(2);

        ActionResult zero = scale(up("e1", 0, 1, 10)).result();
        ActionResult inverted = scale(down("e2", 1, 5, 3, null)).result();
        ActionResult option = scale(down("e3", 1, 0, 3, "random")).result();
        ActionResult empty = scale(new Event<>("e4", URI.create("/test"), NOW, new HostScaleRequested("r",
                Map.of("pool", "nobody"), ScaleAction.UP, 1, 0, 3, null))).result();

        assertThat(List.of(zero, inverted, option, empty)).extracting(ActionResult::outcome)
                .containsOnly(Outcome.FAILED);
        assertThat(zero.reason()).startsWith("amount must be at least 1, got 0");
        assertThat(inverted.reason()).startsWith("min (5) must not be above max (3)");
        assertThat(option.reason()).startsWith("deleteOption must be mostRecent or leastRecent");
        assertThat(empty.reason()).contains("no Node carries the labels pool=nobody");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(2);
        assertThat(nodes()).containsExactly("n-1", "n-2");
        assertThat(drainer.drained).isEmpty();
        assertThat(client.configMaps().inAnyNamespace().list().getItems()).isEmpty();
    }
}
