package dev.winch.scaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.WorkloadRef;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * Two scaler replicas in one consumer group, on the real broker: they share the partitions, and however the
 * requests are batched, folded, and handed over when the second replica joins, every workload ends where applying
 * the requests one by one, in topic order, within the bounds would have left it.
 */
@WithKafka
class ScalerScaleOutIT {

    private static final String NS = "shop";
    private static final int EVENTS = 240;

    /** A workload with the bounds its receiver gives it. */
    private record Target(WorkloadRef ref, int start, int min, int max) {
    }

    private SandboxKubernetes kubernetes;
    private ScalerFixture fixture;

    @BeforeEach
    void start(KafkaBroker broker) {
        kubernetes = SandboxKubernetes.start();
        fixture = new ScalerFixture(broker, kubernetes);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        kubernetes.close();
    }

    @Test
    void twoReplicasShareThePartitionsAndEndWhereOneByOneInTopicOrderWould() throws Exception {
        List<Target> targets = targetsOnEveryPartition();
        targets.forEach(this::create);
        Random random = new Random(7);
        List<Event<ServiceScaleRequested>> requests = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            Target target = targets.get(random.nextInt(targets.size()));
            ScaleAction action = random.nextInt(100) < 55 ? ScaleAction.UP : ScaleAction.DOWN;
            requests.add(Requests.request(UUID.randomUUID().toString(), "alerts-" + action.name().toLowerCase(),
                    target.ref(), action, 1 + random.nextInt(3), target.min(), target.max(), 0));
        }

        int third = EVENTS / 3;
        fixture.start("a");
        fixture.publish(requests.subList(0, third));
        // The second replica joins while requests keep coming: the group rebalances mid-stream.
        CompletableFuture<Void> during = CompletableFuture.runAsync(() -> {
            for (int from = third; from < 2 * third; from += 10) {
                try {
                    fixture.publish(requests.subList(from, Math.min(from + 10, 2 * third)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        fixture.start("b");
        during.get(60, TimeUnit.SECONDS);
        // and the rest once both hold partitions: the keys cover every partition, so both get work
        fixture.publish(requests.subList(2 * third, EVENTS));

        await().atMost(ScalerFixture.WAIT).untilAsserted(() -> assertThat(requests)
                .allSatisfy(r -> assertThat(decided(r.id())).isNotEmpty()));
        for (Target target : targets) {
            assertThat(replicas(target.ref())).as(target.ref().key()).isEqualTo(oneByOne(target, requests));
        }
        // Each request was decided exactly once; a replay after the hand-over can only be a duplicate.
        assertThat(requests).allSatisfy(r -> assertThat(decided(r.id())).as(r.id()).hasSize(1));
        Set<String> instances = fixture.results().all().stream().map(r -> r.details().get("instance"))
                .collect(Collectors.toSet());
        assertThat(instances).containsExactlyInAnyOrder("a", "b");
        // and requests waiting together for one target were folded into one write
        assertThat(fixture.results().all()).anySatisfy(r -> assertThat(Integer.parseInt(
                r.details().getOrDefault("foldedCount", "0"))).isGreaterThan(1));
    }

    private List<ActionResult> decided(String eventId) {
        return fixture.results().of(eventId).stream().filter(r -> r.outcome() != Outcome.DUPLICATE).toList();
    }

    /** The reference: each request applied alone, in the order it was written, within its bounds. */
    private static int oneByOne(Target target, List<Event<ServiceScaleRequested>> requests) {
        int replicas = target.start();
        for (Event<ServiceScaleRequested> event : requests) {
            ServiceScaleRequested request = event.data();
            if (request.target().equals(target.ref())) {
                replicas = request.action() == ScaleAction.UP
                        ? Math.min(request.max(), replicas + request.amount())
                        : Math.max(request.min(), replicas - request.amount());
            }
        }
        return replicas;
    }

    /** Six workloads whose keys land on every partition, so both replicas get work whichever partitions they hold. */
    private static List<Target> targetsOnEveryPartition() {
        List<WorkloadRef> chosen = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; chosen.size() < 6; i++) {
            WorkloadRef ref = new WorkloadRef(NS, i % 3 == 2 ? "statefulset" : "deployment", "app-" + i);
            int partition = ScalerFixture.partitionOf(ref.key());
            if (covered.size() < ScalerFixture.SCALE_PARTITIONS && covered.contains(partition)) {
                continue;
            }
            covered.add(partition);
            chosen.add(ref);
        }
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            int min = 1 + i % 2;
            int max = min + 3 + i % 3;
            targets.add(new Target(chosen.get(i), min + 1, min, max));
        }
        return targets;
    }

    private void create(Target target) {
        KubernetesClient client = kubernetes.client();
        String name = target.ref().name();
        Map<String, String> labels = Map.of("app", name);
        if (target.ref().kind().equals("deployment")) {
            client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                    .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                    .withNewSpec().withReplicas(target.start())
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().addNewContainer().withName(name).withImage("shop:1").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
        } else {
            client.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder()
                    .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                    .withNewSpec().withReplicas(target.start()).withServiceName(name)
                    .withNewSelector().withMatchLabels(labels).endSelector()
                    .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().addNewContainer().withName(name).withImage("shop:1").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
        }
    }

    private int replicas(WorkloadRef ref) {
        KubernetesClient client = kubernetes.client();
        return ref.kind().equals("deployment")
                ? client.apps().deployments().inNamespace(NS).withName(ref.name()).get().getSpec().getReplicas()
                : client.apps().statefulSets().inNamespace(NS).withName(ref.name()).get().getSpec().getReplicas();
    }
}
