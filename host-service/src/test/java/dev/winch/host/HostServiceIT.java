package dev.winch.host;

import static dev.winch.host.kubernetes.Cluster.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.host.kubernetes.Cluster;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The host service on the real broker: requests in, results out, the join follow-up, a redelivery. */
@WithKafka
class HostServiceIT {

    private static final Map<String, String> GROUP = Map.of("pool", "it-workers");

    private SandboxKubernetes kubernetes;
    private Cluster cluster;
    private HostFixture fixture;
    private final FakeDrainer drainer = new FakeDrainer();
    private final FakeRunner runner = new FakeRunner();

    @BeforeEach
    void start(KafkaBroker broker) {
        kubernetes = SandboxKubernetes.start();
        cluster = new Cluster(kubernetes.client());
        fixture = new HostFixture(broker, kubernetes);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        kubernetes.close();
    }

    private static Event<HostScaleRequested> request(String id, ScaleAction action, int amount, int min, int max) {
        return new Event<>(id, URI.create("/winch/gateway/hooks/hosts"), Instant.now(),
                new HostScaleRequested("hosts-" + action.name().toLowerCase(), GROUP, action, amount, min, max,
                        null));
    }

    @Test
    void clonesReportsTheJoinAndARepeatedEventChangesNothing() throws Exception {
        cluster.machineDeployment("workers-md", 2);
        cluster.machineSet("workers-ms", 2, "workers-md");
        cluster.machine("m-1", "workers-ms", "Running");
        cluster.machine("m-2", "workers-ms", "Running");
        cluster.create(node("n-1", GROUP).machine("m-1"));
        cluster.create(node("n-2", GROUP).machine("m-2"));
        fixture.start("a", drainer, runner);

        Event<HostScaleRequested> up = request("evt-up", ScaleAction.UP, 1, 1, 5);
        fixture.publish(up);

        await().atMost(HostFixture.WAIT).until(() -> !fixture.decisions("evt-up").isEmpty());
        ActionResult applied = fixture.decisions("evt-up").get(0);
        assertThat(applied.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(applied.target()).isEqualTo("pool=it-workers");
        assertThat(applied.details()).containsEntry("from", "2").containsEntry("to", "3");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(3);

        // Cluster API makes the Machine; its Node joins the group and becomes Ready
        cluster.machine("m-3", "workers-ms", "Running");
        cluster.create(node("n-3", GROUP).machine("m-3"));
        await().atMost(HostFixture.WAIT).untilAsserted(() -> assertThat(fixture.results().of("evt-up"))
                .anySatisfy(r -> {
                    assertThat(r.details()).containsEntry("stage", "join");
                    assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
                    assertThat(r.reason()).contains("n-3");
                }));

        // the sender retried: the same event again, as a new record
        fixture.publish(up);
        await().atMost(HostFixture.WAIT).until(() -> fixture.decisions("evt-up").size() == 2);
        assertThat(fixture.decisions("evt-up").get(1).outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(3);
    }

    @Test
    void removesAHostThroughTheDrainerAndReportsIt() throws Exception {
        cluster.create(node("by-hand-1", GROUP));
        cluster.create(node("by-hand-2", GROUP).cordoned());
        fixture.start("a", drainer, runner);

        fixture.publish(request("evt-down", ScaleAction.DOWN, 1, 1, 5));

        await().atMost(HostFixture.WAIT).until(() -> !fixture.decisions("evt-down").isEmpty());
        ActionResult result = fixture.decisions("evt-down").get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("removed", "by-hand-2");
        assertThat(drainer.drained).containsExactly("by-hand-2");
        // counted once the result is stored, which the tail may see a moment before
        await().atMost(HostFixture.WAIT).until(() -> fixture.runtime(0).registry()
                .get("winch_host_hosts_removed_total").counter().count() == 1.0);
        assertThat(kubernetes.client().nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
                .containsExactly("by-hand-1");
    }

    @Test
    void startsAsItsMainDoesAndClonesWithTheWiringOfItsMain() throws Exception {
        cluster.machineDeployment("workers-md", 1);
        cluster.machineSet("workers-ms", 1, "workers-md");
        cluster.machine("m-1", "workers-ms", "Running");
        cluster.create(node("n-1", GROUP).machine("m-1"));
        fixture.startAsItsMainDoes("main");

        fixture.publish(request("evt-main", ScaleAction.UP, 1, 1, 5));

        await().atMost(HostFixture.WAIT).until(() -> !fixture.decisions("evt-main").isEmpty());
        assertThat(fixture.decisions("evt-main").get(0).outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(2);

        // and removes with it: the Kubernetes drainer cordons the Node (this API server lists no pods on it; the
        // evictions are HostDrainMockTest's), then the Machine is marked and the Node deleted
        fixture.publish(request("evt-main-down", ScaleAction.DOWN, 1, 0, 5));

        await().atMost(HostFixture.WAIT).until(() -> !fixture.decisions("evt-main-down").isEmpty());
        ActionResult down = fixture.decisions("evt-main-down").get(0);
        assertThat(down.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(down.details()).containsEntry("removed", "n-1").containsEntry("evicted", "0");
        assertThat(kubernetes.client().nodes().list().getItems()).isEmpty();
        assertThat(cluster.get("Machine", "m-1").getMetadata().getAnnotations())
                .containsEntry(dev.winch.host.model.HostLabels.CAPI_DELETE_MACHINE, "winch evt-main-down");
        assertThat(cluster.replicas("MachineDeployment", "workers-md")).isEqualTo(1);
    }

    @Test
    void aRequestThatCannotBeCarriedOutFailsWithTheReason() throws Exception {
        cluster.create(node("by-hand-1", GROUP));
        fixture.start("a", drainer, runner);

        fixture.publish(request("evt-bad", ScaleAction.UP, 1, 1, 5));

        await().atMost(HostFixture.WAIT).until(() -> !fixture.decisions("evt-bad").isEmpty());
        ActionResult result = fixture.decisions("evt-bad").get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.reason()).startsWith("custom hosts cannot be cloned");
        assertThat(List.copyOf(kubernetes.client().nodes().list().getItems())).hasSize(1);
    }
}
