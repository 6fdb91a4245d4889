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
import dev.winch.host.kubernetes.HostLedger;
import dev.winch.host.kubernetes.NodeDrainer;
import dev.winch.host.model.DrainReport;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica stops in the middle of a scale-down, after it chose and claimed the hosts and while it drains them, so
 * its record is never committed; the next replica gets the record again and goes on with the same hosts, although
 * the group changed meanwhile in a way that would make a new plan choose another.
 */
@WithKafka
class HostCrashIT {

    private static final Map<String, String> GROUP = Map.of("pool", "crash-workers");

    /** Asked to drain, never answers: the replica is stopped with the drain in flight. */
    private static final class StuckDrainer implements NodeDrainer {
        final List<String> asked = new CopyOnWriteArrayList<>();

        @Override
        public Future<DrainReport> drain(String node, String eventId) {
            asked.add(node);
            return Promise.<DrainReport>promise().future();
        }

        @Override
        public Future<List<DrainReport>> drainAll(List<String> nodes, String eventId) {
            asked.addAll(nodes);
            return Promise.<List<DrainReport>>promise().future();
        }
    }

    private SandboxKubernetes kubernetes;
    private Cluster cluster;
    private HostFixture fixture;

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

    @Test
    void aScaleDownInterruptedWhileDrainingGoesOnWithTheSameHostsElsewhere() throws Exception {
        cluster.create(node("a", GROUP));
        cluster.create(node("b", GROUP).ready("False"));
        cluster.create(node("c", GROUP));
        StuckDrainer stuck = new StuckDrainer();
        fixture.start("first", stuck, new FakeRunner());

        Event<HostScaleRequested> down = new Event<>("evt-crash", URI.create("/test"), Instant.now(),
                new HostScaleRequested("hosts-down", GROUP, ScaleAction.DOWN, 1, 0, 5, null));
        fixture.publish(down);
        await().atMost(HostFixture.WAIT).until(() -> !stuck.asked.isEmpty());
        assertThat(stuck.asked).containsExactly("b");
        assertThat(new HostLedger(kubernetes.client(), "winch").read("pool=crash-workers").claim("evt-crash"))
                .hasValueSatisfying(claim -> assertThat(claim.hosts()).containsExactly("b"));

        // the replica goes away with the drain in flight: its record is not committed
        fixture.stopAll();
        // meanwhile someone cordons c: a new plan would now choose c (Inactive) before b (Disconnected)
        kubernetes.client().nodes().withName("c").edit(n -> {
            n.getSpec().setUnschedulable(true);
            return n;
        });

        FakeDrainer drainer = new FakeDrainer();
        fixture.start("second", drainer, new FakeRunner());

        await().atMost(HostFixture.WAIT).until(() -> !fixture.decisions("evt-crash").isEmpty());
        ActionResult result = fixture.decisions("evt-crash").get(0);
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("resumed", "true").containsEntry("removed", "b")
                .containsEntry("instance", "second");
        assertThat(drainer.drained).containsExactly("b");
        assertThat(kubernetes.client().nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrder("a", "c");
    }
}
