package dev.winch.local.scaleout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.host.kubernetes.HostGroups;
import dev.winch.host.kubernetes.HostLedger;
import dev.winch.host.model.HostLabels;
import dev.winch.host.model.Ledger;
import dev.winch.local.scaleout.WorkerReplicas.Replica;
import dev.winch.testkit.ClusterApiSandbox;
import dev.winch.testkit.EvictionApi;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.WithKafka;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three host-service replicas share the 6-partition {@code winch.host.scale} on the real broker while a mixed load
 * of add and remove requests for 12 Cluster API host groups runs; one replica is killed mid-stream and another
 * added. The replicas are wired as {@code HostMain} wires them: a scale-down drains its hosts through the Eviction
 * API (each Node runs one pod), marks their Machines, lowers the MachineDeployment's replicas and deletes the Nodes;
 * a scale-up raises the replicas. The reference is the one-by-one order: every request applied alone, in the order
 * it was written to its topic.
 *
 * <p>How "exactly one result" is read (as for the scaler and upgrader, see {@link WorkersScaleOutIT}): a replica
 * killed after a write but before its offset commit leaves the record to the next owner. If the group's ledger
 * already has the event, the next owner reports it {@code DUPLICATE}; if only the claim of a scale-down is there, it
 * goes on with the claimed hosts and says {@code resumed}. So an event's decisions (results other than
 * {@code DUPLICATE}, the join follow-up left aside) are at most one fresh decision and resumed ones naming the same
 * hosts; an event without a decision is in its group's ledger and has {@code DUPLICATE}s.
 */
@WithKafka
class HostsScaleOutIT {

    private static final Logger LOG = LoggerFactory.getLogger(HostsScaleOutIT.class);
    /** Where the Machines, pods and the ledger ConfigMaps live. */
    private static final String NS = "scale-out-hosts";
    private static final int GROUPS = 12;
    private static final int HOSTS = 5;
    private static final int MIN = 2;
    private static final int MAX = 8;
    /** One request per group per round: every round reaches every partition. */
    private static final int ROUNDS = 7;
    private static final URI SOURCE = URI.create("/winch/gateway/hooks/scale-out-hosts-it");
    private static final ResourceDefinitionContext MACHINE_DEPLOYMENTS = new ResourceDefinitionContext.Builder()
            .withGroup(ClusterApiSandbox.GROUP).withVersion(ClusterApiSandbox.VERSION).withKind("MachineDeployment")
            .withPlural("machinedeployments").withNamespaced(true).build();

    /** What a group of Cluster API hosts has: its MachineDeployment's replicas and its Nodes. */
    private record Expected(int replicas, int nodes) {
    }

    private EvictionApi kubernetes;
    private WorkerReplicas replicas;

    @BeforeEach
    void start(KafkaBroker broker) throws Exception {
        kubernetes = new EvictionApi();
        replicas = new WorkerReplicas(broker, kubernetes.url());
    }

    @AfterEach
    void stop() throws Exception {
        replicas.close();
        kubernetes.close();
    }

    @Test
    void everyGroupEndsWhereOneByOneWouldWithAReplicaKilledAndOneAddedMidStream() throws Exception {
        List<String> groups = groups();
        seed(groups);
        List<List<Event<HostScaleRequested>>> rounds = load(groups, new Random(17));
        List<Event<HostScaleRequested>> all = rounds.stream().flatMap(List::stream).toList();

        List<Replica> hosts = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            hosts.add(replicas.startHost("host-" + i, NS));
        }
        WorkerReplicas.awaitAssigned(hosts);

        // Rounds 0-1, then kill one replica once results are coming, while rounds 2-3 are written.
        replicas.publish(flatten(rounds.subList(0, 2)));
        await().atMost(WorkerReplicas.WAIT).until(() -> replicas.results().size() >= GROUPS);
        CompletableFuture<Void> writing = publishInBackground(flatten(rounds.subList(2, 4)));
        Replica killed = hosts.remove(1);
        killed.kill();
        writing.get(60, TimeUnit.SECONDS);

        // Add one while rounds 4-5 are written; the last round is written once it holds partitions.
        writing = publishInBackground(flatten(rounds.subList(4, 6)));
        hosts.add(replicas.startHost("host-4", NS));
        writing.get(60, TimeUnit.SECONDS);
        WorkerReplicas.awaitAssigned(hosts);
        replicas.publish(flatten(rounds.subList(6, ROUNDS)));

        await().atMost(WorkerReplicas.WAIT).untilAsserted(() -> assertThat(all)
                .allSatisfy(e -> assertThat(results(e.id())).as(e.id()).isNotEmpty()));

        // Nothing doubled: at most one fresh decision, and a resumed one goes on with the same hosts.
        assertThat(all).allSatisfy(e -> {
            List<ActionResult> decisions = decisions(e.id());
            assertThat(decisions).as("fresh decisions of %s", e.id())
                    .filteredOn(r -> !"true".equals(r.details().get("resumed"))).hasSizeLessThan(2);
            assertThat(decisions.stream().map(r -> String.valueOf(r.details().get("hosts"))).distinct())
                    .as("hosts named by the decisions of %s", e.id()).hasSizeLessThan(2);
        });
        assertThat(all).filteredOn(e -> decisions(e.id()).isEmpty())
                .allSatisfy(e -> assertThat(results(e.id())).extracting(ActionResult::outcome)
                        .containsOnly(Outcome.DUPLICATE));

        HostLedger ledgers = new HostLedger(kubernetes.client(), NS);
        Set<String> nodesLeft = kubernetes.client().nodes().list().getItems().stream()
                .map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
        for (String group : groups) {
            List<Event<HostScaleRequested>> own = all.stream()
                    .filter(e -> e.data().hostSelector().get("pool").equals(group)).toList();
            Ledger ledger = ledgers.read(HostGroups.key(Map.of("pool", group)));
            // Nothing lost and per-group order held: every request of the group decided, in topic order.
            assertThat(ledger.applied()).as("requests decided on group %s, in order", group)
                    .containsExactlyElementsOf(own.stream().map(Event::id).toList());
            assertThat(ledger.claims()).as("claims left unfinished on group %s", group).isEmpty();
            // And the group where the one-by-one order leaves it.
            Expected expected = oneByOne(own);
            assertThat(replicasOf(group)).as("machines (MachineDeployment replicas) of %s", group)
                    .isEqualTo(expected.replicas());
            assertThat(kubernetes.client().nodes().withLabel("pool", group).list().getItems())
                    .as("Nodes of %s", group).hasSize(expected.nodes());
        }
        // The removed hosts were drained: no pod is left on a Node that is gone.
        assertThat(kubernetes.client().pods().inNamespace(NS).list().getItems())
                .as("pods left on deleted Nodes").extracting(p -> p.getSpec().getNodeName())
                .allMatch(nodesLeft::contains);

        // The added replica took over work.
        assertThat(replicas.results().all()).as("results of host-4")
                .anyMatch(r -> "host-4".equals(r.details().get("instance")));
        long redelivered = all.stream().filter(e -> results(e.id()).stream()
                .anyMatch(r -> r.outcome() == Outcome.DUPLICATE || "true".equals(r.details().get("resumed"))))
                .count();
        LOG.info("{} requests for {} groups; {} of them redelivered after the kill and recognised or resumed",
                all.size(), GROUPS, redelivered);
    }

    // ---------------------------------------------------------------- the load

    /** {@value #GROUPS} groups, the first ones chosen so that their keys reach every partition of the topic. */
    private static List<String> groups() {
        List<String> groups = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; groups.size() < GROUPS; i++) {
            String group = "pool-" + i;
            int partition = WorkerReplicas.partitionOf(HostGroups.key(Map.of("pool", group)));
            if (covered.size() < WorkerReplicas.PARTITIONS && covered.contains(partition)) {
                continue;
            }
            covered.add(partition);
            groups.add(group);
        }
        assertThat(covered).as("partitions of winch.host.scale with groups").hasSize(WorkerReplicas.PARTITIONS);
        return groups;
    }

    /**
     * {@value #ROUNDS} rounds of one request per group each, shuffled within the round: add (amount 1-2) or remove
     * (amount 1-2, the most or least recent hosts), half and half, so both bounds are reached.
     */
    private static List<List<Event<HostScaleRequested>>> load(List<String> groups, Random random) {
        List<List<Event<HostScaleRequested>>> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<Event<HostScaleRequested>> requests = new ArrayList<>();
            for (String group : groups) {
                ScaleAction action = random.nextBoolean() ? ScaleAction.UP : ScaleAction.DOWN;
                requests.add(new Event<>(UUID.randomUUID().toString(), SOURCE, Instant.now(),
                        new HostScaleRequested("hosts-" + action.name().toLowerCase(), Map.of("pool", group), action,
                                1 + random.nextInt(2), MIN, MAX, random.nextBoolean() ? "mostRecent" : "leastRecent")));
            }
            Collections.shuffle(requests, random);
            rounds.add(requests);
        }
        return rounds;
    }

    private static <T> List<T> flatten(List<List<T>> rounds) {
        return rounds.stream().flatMap(List::stream).toList();
    }

    /** Writes the requests five at a time on another thread, so replicas come and go while they arrive. */
    private CompletableFuture<Void> publishInBackground(List<Event<HostScaleRequested>> events) {
        return CompletableFuture.runAsync(() -> {
            for (int from = 0; from < events.size(); from += 5) {
                try {
                    replicas.publish(events.subList(from, Math.min(from + 5, events.size())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    // ---------------------------------------------------------------- the reference

    /**
     * Each request of the group alone, in topic order. Up counts the machines asked for (the replicas) and raises
     * them up to max; no Node joins (no Cluster API controller runs). Down counts the Nodes and removes them down to
     * min, one replica less for each.
     */
    private static Expected oneByOne(List<Event<HostScaleRequested>> own) {
        int replicas = HOSTS;
        int nodes = HOSTS;
        for (Event<HostScaleRequested> event : own) {
            HostScaleRequested r = event.data();
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

    // ---------------------------------------------------------------- the cluster

    /** Each group: a MachineDeployment of {@value #HOSTS} running Machines, their Ready Nodes, a pod on each. */
    private void seed(List<String> groups) {
        ClusterApiSandbox clusterApi = new ClusterApiSandbox(kubernetes.client(), NS).installCrds();
        for (String group : groups) {
            clusterApi.machineDeployment(group + "-md", group + "-ms", HOSTS, Map.of("clusterName", "scale-out"));
            for (int i = 1; i <= HOSTS; i++) {
                String machine = group + "-m-" + i;
                String node = group + "-n-" + i;
                clusterApi.machine(machine, group + "-ms");
                kubernetes.client().nodes().resource(node(node, group, machine)).create();
                kubernetes.client().pods().inNamespace(NS).resource(pod("app-" + node, node)).create();
            }
        }
    }

    private static Node node(String name, String group, String machine) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(Map.of("pool", group))
                .withAnnotations(Map.of(HostLabels.CAPI_MACHINE, machine, HostLabels.CAPI_CLUSTER_NAMESPACE, NS))
                .endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
    }

    private static Pod pod(String name, String node) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("nginx:1.27")
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
    }

    private int replicasOf(String group) {
        GenericKubernetesResource deployment = kubernetes.client().genericKubernetesResources(MACHINE_DEPLOYMENTS)
                .inNamespace(NS).withName(group + "-md").get();
        return ((Number) ((Map<?, ?>) deployment.getAdditionalProperties().get("spec")).get("replicas")).intValue();
    }

    // ---------------------------------------------------------------- what happened

    /** The results of a request, the join follow-up of a clone left aside. */
    private List<ActionResult> results(String eventId) {
        return replicas.results().of(eventId).stream()
                .filter(r -> !"join".equals(r.details().get("stage")))
                .toList();
    }

    private List<ActionResult> decisions(String eventId) {
        return results(eventId).stream().filter(r -> r.outcome() != Outcome.DUPLICATE).toList();
    }
}
