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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two host-service replicas in one consumer group on the real broker: they share the groups' partitions, and
 * however the work is handed over when the second one joins, every group ends where one replica handling the
 * requests one by one, in topic order, would have left it; and every request is decided once.
 */
@WithKafka
class HostScaleOutIT {

    private static final int GROUPS = 4;
    private static final int HOSTS = 6;
    private static final int EVENTS = 60;
    private static final int MIN = 2;
    private static final int MAX = 9;

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

    /** A group of Cluster API hosts: its MachineDeployment's replicas and the Nodes it has. */
    private record Expected(int replicas, int nodes) {
    }

    @Test
    void twoReplicasShareTheWorkAndEndWhereOneWould() throws Exception {
        List<String> groups = groupsOnEveryPartition();
        for (String group : groups) {
            capiGroup(group);
        }
        Random random = new Random(11);
        List<Event<HostScaleRequested>> requests = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            String group = groups.get(random.nextInt(groups.size()));
            ScaleAction action = random.nextInt(100) < 50 ? ScaleAction.UP : ScaleAction.DOWN;
            requests.add(new Event<>(UUID.randomUUID().toString(), URI.create("/test"), Instant.now(),
                    new HostScaleRequested("hosts", Map.of("pool", group), action, 1 + random.nextInt(2), MIN, MAX,
                            random.nextBoolean() ? "mostRecent" : "leastRecent")));
        }

        int third = EVENTS / 3;
        fixture.start("a", new FakeDrainer(), new FakeRunner());
        fixture.publish(requests.subList(0, third));
        CompletableFuture<Void> during = CompletableFuture.runAsync(() -> {
            for (int from = third; from < 2 * third; from += 5) {
                try {
                    fixture.publish(requests.subList(from, Math.min(from + 5, 2 * third)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        fixture.start("b", new FakeDrainer(), new FakeRunner());
        during.get(60, TimeUnit.SECONDS);
        fixture.publish(requests.subList(2 * third, EVENTS));

        await().atMost(HostFixture.WAIT).untilAsserted(() -> assertThat(requests)
                .allSatisfy(r -> assertThat(decided(r.id())).isNotEmpty()));
        for (String group : groups) {
            Expected expected = oneByOne(group, requests);
            assertThat(cluster.replicas("MachineDeployment", group + "-md")).as(group + " replicas")
                    .isEqualTo(expected.replicas());
            assertThat(kubernetes.client().nodes().withLabel("pool", group).list().getItems()).as(group + " nodes")
                    .hasSize(expected.nodes());
        }
        // Each request was decided once. A replica that loses a partition mid-request may still finish it while the
        // new owner, reading the record again, goes on with the claim the first one wrote: that second result says
        // `resumed` and names the same hosts; anything else of the new owner is a DUPLICATE.
        assertThat(requests).allSatisfy(r -> {
            List<ActionResult> first = decided(r.id()).stream()
                    .filter(d -> !"true".equals(d.details().get("resumed"))).toList();
            assertThat(first).as(r.id()).hasSize(1);
            assertThat(decided(r.id())).as(r.id()).allSatisfy(d -> assertThat(d.details().get("hosts"))
                    .isEqualTo(first.get(0).details().get("hosts")));
        });
        Set<String> instances = fixture.results().all().stream().map(r -> r.details().get("instance"))
                .collect(Collectors.toSet());
        assertThat(instances).contains("a", "b");
    }

    private List<ActionResult> decided(String id) {
        return fixture.decisions(id).stream().filter(r -> r.outcome() != Outcome.DUPLICATE).toList();
    }

    /**
     * The reference: each request alone, in order. Up counts the machines asked for (replicas) and raises them up
     * to max; no Node joins (there is no Cluster API controller). Down counts the Nodes and removes them down to
     * min, one replica less for each.
     */
    private static Expected oneByOne(String group, List<Event<HostScaleRequested>> requests) {
        int replicas = HOSTS;
        int nodes = HOSTS;
        for (Event<HostScaleRequested> event : requests) {
            HostScaleRequested r = event.data();
            if (!r.hostSelector().get("pool").equals(group)) {
                continue;
            }
            if (r.action() == ScaleAction.UP) {
                if (replicas < r.max()) {
                    replicas = Math.min(r.max(), replicas + r.amount());
                }
            } else if (nodes > r.min()) {
                int removed = nodes - Math.max(r.min(), nodes - r.amount());
                nodes -= removed;
                replicas -= removed;
            }
        }
        return new Expected(replicas, nodes);
    }

    private void capiGroup(String group) {
        cluster.machineDeployment(group + "-md", HOSTS);
        cluster.machineSet(group + "-ms", HOSTS, group + "-md");
        for (int i = 1; i <= HOSTS; i++) {
            cluster.machine(group + "-m-" + i, group + "-ms", "Running");
            cluster.create(node(group + "-n-" + i, Map.of("pool", group)).machine(group + "-m-" + i));
        }
    }

    /** Groups whose keys land on every partition, so both replicas get work whichever partitions they hold. */
    private static List<String> groupsOnEveryPartition() {
        List<String> chosen = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; chosen.size() < GROUPS; i++) {
            String group = "g" + i;
            int partition = HostFixture.partitionOf("pool=" + group);
            if (covered.size() < HostFixture.PARTITIONS && covered.contains(partition)) {
                continue;
            }
            covered.add(partition);
            chosen.add(group);
        }
        return chosen;
    }
}
