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
import dev.winch.host.kubernetes.KubernetesNodeDrainer;
import dev.winch.host.model.HostAnnotations;
import dev.winch.host.model.HostLabels;
import dev.winch.host.provider.CustomHosts;
import dev.winch.testkit.EvictionApi;
import dev.winch.testkit.MutableClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scale-downs carried out with the drainer the service runs ({@link KubernetesNodeDrainer}) against the mock API
 * server with an Eviction API that honours a disruption budget the test controls ({@link EvictionApi}): what a
 * blocked drain leaves, which pods a drain leaves alone, how many hosts drain at once. The drain timeout is measured
 * on a clock the tests move; refused evictions are asked again every 10 ms.
 */
class HostDrainMockTest {

    private static final Map<String, String> GROUP = Map.of("pool", "workers");
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static Vertx vertx;
    private static Blocking blocking;

    private final MutableClock clock = new MutableClock(NOW);
    private EvictionApi api;
    private KubernetesClient client;
    private Cluster cluster;
    private HostLedger ledger;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        blocking = new Blocking(vertx.createSharedWorkerExecutor("host-drain-test", 2), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() {
        api = new EvictionApi();
        client = api.client();
        cluster = new Cluster(client);
        ledger = new HostLedger(client, "winch");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HostScaler scaler(int drainConcurrency) {
        return new HostScaler(new HostGroups(client), ledger, blocking,
                new KubernetesNodeDrainer(client, vertx, DRAIN_TIMEOUT, Duration.ofMillis(10), drainConcurrency,
                        clock),
                List.of(new ClusterApiProvider(new ClusterApiMachines(client), blocking), new CustomHosts()),
                clock, "test-1", Duration.ofMinutes(10));
    }

    private static Event<HostScaleRequested> down(String id, int amount, int min) {
        return new Event<>(id, URI.create("/test"), NOW,
                new HostScaleRequested("hosts-down", GROUP, ScaleAction.DOWN, amount, min, 10, null));
    }

    private static ActionResult result(Future<HostScaler.Decision> decision) throws Exception {
        return decision.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).result();
    }

    /** Nodes n-1 ... n-n, each the Node of Machine m-i of MachineDeployment workers-md. */
    private void capiGroup(int n) {
        cluster.machineDeployment("workers-md", n);
        cluster.machineSet("workers-ms", n, "workers-md");
        for (int i = 1; i <= n; i++) {
            cluster.machine("m-" + i, "workers-ms", "Running");
            cluster.create(node("n-" + i, GROUP).machine("m-" + i));
        }
    }

    /** Cordoned by someone else: Inactive, the first state a scale-down takes hosts from. */
    private void cordon(String node) {
        client.nodes().withName(node).edit(n -> {
            n.getSpec().setUnschedulable(true);
            return n;
        });
    }

    private void pod(String namespace, String name, String node) {
        client.pods().resource(podOn(namespace, name, node)).create();
    }

    private static Pod podOn(String namespace, String name, String node) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("main").withImage("nginx:1.27").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").endStatus()
                .build();
    }

    private List<String> nodes() {
        return client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).sorted().toList();
    }

    private List<String> pods() {
        return client.pods().inAnyNamespace().list().getItems().stream()
                .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).sorted().toList();
    }

    private List<String> cordoned() {
        return client.nodes().list().getItems().stream()
                .filter(n -> Boolean.TRUE.equals(n.getSpec().getUnschedulable()))
                .map(n -> n.getMetadata().getName()).sorted().toList();
    }

    private Map<String, String> machineAnnotations(String machine) {
        Map<String, String> annotations = cluster.get("Machine", machine).getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    @Test
    void aBudgetThatBlocksUntilTheTimeoutLeavesTheHostCordonedAndItsMachineInPlace() throws Exception {
        capiGroup(3);
        cordon("n-2");
        pod("shop", "db-0", "n-2");
        pod("shop", "web-1", "n-2");
        api.block("shop/db-0", "db-pdb");

        Future<HostScaler.Decision> decision = scaler(3).scale(down("evt-down", 1, 1));
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.refusals("shop/db-0") >= 3);
        assertThat(decision.isComplete()).as("still asking before the drain timeout").isFalse();
        clock.advance(DRAIN_TIMEOUT);
        ActionResult result = result(decision);

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.details()).containsEntry("failure", "drain-blocked").containsEntry("hosts", "n-2")
                .containsEntry("removed", "").containsEntry("evicted", "1");
        assertThat(result.details().get("blocked.n-2")).startsWith("shop/db-0 (" + EvictionApi.BUDGET_MESSAGE)
                .contains("db-pdb").doesNotContain("web-1");
        assertThat(result.reason()).startsWith("removed no host of group pool=workers")
                .contains("n-2 could not be drained and is left cordoned, blocked by shop/db-0 ("
                        + EvictionApi.BUDGET_MESSAGE);
        // the Node stays, cordoned and saying why; its Machine is neither marked nor scaled away
        assertThat(nodes()).containsExactly("n-1", "n-2", "n-3");
        Node blocked = client.nodes().withName("n-2").get();
        assertThat(blocked.getSpec().getUnschedulable()).isTrue();
        assertThat(blocked.getMetadata().getAnnotations()).containsEntry(HostAnnotations.DRAINING, "evt-down")
                .hasEntrySatisfying(HostAnnotations.DRAIN_BLOCKED, text -> assertThat(text)
                        .contains("shop/db-0").contains("disruption budget").contains("db-pdb"));
        assertThat(machineAnnotations("m-2")).doesNotContainKey(HostLabels.CAPI_DELETE_MACHINE);
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(3);
        assertThat(pods()).containsExactly("shop/db-0");

        // the same event again changes nothing; a new request once the budget allows it removes the host
        int asked = api.evictions().size();
        assertThat(result(scaler(3).scale(down("evt-down", 1, 1))).outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(api.evictions()).hasSize(asked);
        api.release("shop/db-0");
        ActionResult next = result(scaler(3).scale(down("evt-down-2", 1, 1)));
        assertThat(next.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(next.details()).containsEntry("removed", "n-2").containsEntry("evicted", "1");
        assertThat(nodes()).containsExactly("n-1", "n-3");
        assertThat(machineAnnotations("m-2")).containsEntry(HostLabels.CAPI_DELETE_MACHINE, "winch evt-down-2");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(2);
    }

    @Test
    void aRemovalWithOneHostBlockedRemovesTheOtherAndNamesThePodThatBlocked() throws Exception {
        capiGroup(3);
        cordon("n-2");
        client.nodes().withName("n-3").edit(n -> {
            n.getStatus().getConditions().get(0).setStatus("False");
            return n;
        });
        pod("shop", "db-0", "n-2");
        pod("shop", "web-3", "n-3");
        api.block("shop/db-0", "db-pdb");

        Future<HostScaler.Decision> decision = scaler(3).scale(down("evt-down", 2, 1));
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.refusals("shop/db-0") >= 2
                && api.evictions().contains("shop/web-3 201"));
        clock.advance(DRAIN_TIMEOUT);
        ActionResult result = result(decision);

        // Inactive n-2 was chosen first, Disconnected n-3 second; only n-3 could go
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("hosts", "n-2,n-3").containsEntry("removed", "n-3")
                .containsEntry("evicted", "1").doesNotContainKey("failure");
        assertThat(result.details().get("blocked.n-2")).startsWith("shop/db-0 (" + EvictionApi.BUDGET_MESSAGE);
        assertThat(result.reason()).startsWith("removed 1 host(s) of group pool=workers: n-3")
                .contains("n-2 could not be drained and is left cordoned, blocked by shop/db-0");
        assertThat(nodes()).containsExactly("n-1", "n-2");
        assertThat(machineAnnotations("m-3")).containsEntry(HostLabels.CAPI_DELETE_MACHINE, "winch evt-down");
        assertThat(machineAnnotations("m-2")).doesNotContainKey(HostLabels.CAPI_DELETE_MACHINE);
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(2);
        assertThat(client.nodes().withName("n-2").get().getMetadata().getAnnotations())
                .containsKey(HostAnnotations.DRAIN_BLOCKED);
    }

    @Test
    void daemonSetAndMirrorPodsAreLeftAndTheHostIsRemoved() throws Exception {
        capiGroup(2);
        cordon("n-2");
        pod("shop", "web-2", "n-2");
        client.pods().resource(new PodBuilder(podOn("kube-system", "fluentd-x7k2p", "n-2"))
                .editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                .withName("fluentd").withUid("ds-uid").withController(true).endOwnerReference().endMetadata()
                .build()).create();
        client.pods().resource(new PodBuilder(podOn("kube-system", "kube-proxy-n-2", "n-2"))
                .editMetadata().addToAnnotations("kubernetes.io/config.mirror", "5f1c").endMetadata()
                .build()).create();
        pod("shop", "web-1", "n-1");

        ActionResult result = result(scaler(3).scale(down("evt-down", 1, 1)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("removed", "n-2").containsEntry("evicted", "1");
        assertThat(api.evictionsAskedFor()).containsExactly("shop/web-2");
        assertThat(nodes()).containsExactly("n-1");
        assertThat(machineAnnotations("m-2")).containsEntry(HostLabels.CAPI_DELETE_MACHINE, "winch evt-down");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(1);
        // they go with the Node (the garbage collector's job on a cluster); the other host's pod was not touched
        assertThat(pods()).containsExactly("kube-system/fluentd-x7k2p", "kube-system/kube-proxy-n-2", "shop/web-1");
    }

    @Test
    void drainsSeveralHostsAtOnceButNeverMoreThanTheBound() throws Exception {
        capiGroup(6);
        for (int i = 1; i <= 6; i++) {
            pod("shop", "web-" + i, "n-" + i);
            api.block("shop/web-" + i, "web-pdb");
        }

        Future<HostScaler.Decision> decision = scaler(2).scale(down("evt-down", 5, 1));

        // two drains run and retry; the other three hosts wait for a free slot, not even cordoned
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.evictionsAskedFor().size() == 2
                && api.evictionsAskedFor().stream().allMatch(pod -> api.refusals(pod) >= 2));
        assertThat(cordoned()).hasSize(2);
        Set<String> first = api.evictionsAskedFor();

        // one budget lets go: that drain finishes, and the next host takes its slot
        String released = first.iterator().next();
        api.release(released);
        await().atMost(10, TimeUnit.SECONDS).until(() -> api.evictionsAskedFor().size() == 3
                && api.evictionsAskedFor().stream().filter(pod -> !pod.equals(released))
                        .allMatch(pod -> api.refusals(pod) >= 2));
        assertThat(cordoned()).hasSize(3);
        assertThat(decision.isComplete()).isFalse();

        for (int i = 1; i <= 6; i++) {
            api.release("shop/web-" + i);
        }
        ActionResult result = result(decision);

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("evicted", "5").containsEntry("from", "6")
                .containsEntry("to", "1");
        assertThat(result.details().get("removed").split(",")).hasSize(5);
        assertThat(api.evictionsAskedFor()).hasSize(5);
        assertThat(nodes()).hasSize(1);
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(1);
    }
}
