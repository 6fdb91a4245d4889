package dev.winch.local.scaleout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.local.scaleout.WorkerReplicas.Replica;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.net.URI;
import java.time.Duration;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three replicas each of the scaler and the upgrader share 6-partition topics on the real broker while a mixed
 * load of scale requests and image pushes for 30 Deployments runs; one replica of each is killed mid-stream and
 * another one of each added. The reference is the one-by-one order: every event applied alone, in the order it
 * was written to its topic.
 *
 * <p>What a user checks, and how "exactly one result" is read here: no event is lost (each has a result) and no
 * action is doubled (each has at most one decision: APPLIED, NOOP, SKIPPED or FAILED). A replica killed after its
 * Kubernetes write but before its offset commit leaves the record to the next owner, which finds the event on the
 * Deployment and reports it {@code DUPLICATE}; that report comes in addition to the killed replica's decision if
 * that one got out, and in its place if it did not. So an event's results are one decision and any number of
 * {@code DUPLICATE}s, or {@code DUPLICATE}s alone when its id is on the Deployment: never two decisions. Rollout
 * results of the upgrader (stage {@code rollout}, the second result it documents for an apply) are left aside.
 */
@WithKafka
class WorkersScaleOutIT {

    private static final Logger LOG = LoggerFactory.getLogger(WorkersScaleOutIT.class);
    private static final String NS = "scale-out";
    private static final int TARGETS = 30;
    /** One event per target per round: every round reaches every partition of both topics. */
    private static final int ROUNDS = 10;
    private static final URI SOURCE = URI.create("/winch/gateway/hooks/scale-out-it");

    /** A Deployment and the bounds its scale receivers give it. */
    private record Target(WorkloadRef ref, String repository, int start, int min, int max) {
    }

    private SandboxKubernetes kubernetes;
    private WorkerReplicas replicas;

    @BeforeEach
    void start(KafkaBroker broker) throws Exception {
        // A few milliseconds per API call, so a killed replica is likely to have a write in flight.
        kubernetes = SandboxKubernetes.startWithLatency(Duration.ofMillis(3));
        replicas = new WorkerReplicas(broker, kubernetes.url());
    }

    @AfterEach
    void stop() throws Exception {
        replicas.close();
        kubernetes.close();
    }

    @Test
    void everyTargetEndsWhereOneByOneWouldWithAReplicaKilledAndOneAddedMidStream() throws Exception {
        List<Target> targets = targets();
        targets.forEach(this::create);
        List<List<Event<?>>> rounds = load(targets, new Random(13));
        List<Event<?>> all = rounds.stream().flatMap(List::stream).toList();

        List<Replica> scalers = new ArrayList<>();
        List<Replica> upgraders = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            scalers.add(replicas.startScaler("scaler-" + i));
            upgraders.add(replicas.startUpgrader("upgrader-" + i));
        }
        WorkerReplicas.awaitAssigned(scalers);
        WorkerReplicas.awaitAssigned(upgraders);

        // Rounds 0-2, then kill one replica of each service once results are coming, while rounds 3-5 are written.
        replicas.publish(flatten(rounds.subList(0, 3)));
        await().atMost(WorkerReplicas.WAIT).until(() -> replicas.results().size() >= 2 * TARGETS);
        CompletableFuture<Void> writing = publishInBackground(flatten(rounds.subList(3, 6)));
        Replica killedScaler = scalers.remove(1);
        Replica killedUpgrader = upgraders.remove(1);
        killedScaler.kill();
        killedUpgrader.kill();
        writing.get(60, TimeUnit.SECONDS);

        // Add one replica of each while rounds 6-9 are written; the last rounds are written once it holds partitions.
        writing = publishInBackground(flatten(rounds.subList(6, 8)));
        Replica addedScaler = replicas.startScaler("scaler-4");
        Replica addedUpgrader = replicas.startUpgrader("upgrader-4");
        scalers.add(addedScaler);
        upgraders.add(addedUpgrader);
        writing.get(60, TimeUnit.SECONDS);
        WorkerReplicas.awaitAssigned(scalers);
        WorkerReplicas.awaitAssigned(upgraders);
        replicas.publish(flatten(rounds.subList(8, ROUNDS)));

        await().atMost(WorkerReplicas.WAIT).untilAsserted(() -> assertThat(all)
                .allSatisfy(e -> assertThat(results(e.id())).as(e.id()).isNotEmpty()));

        // Nothing lost, nothing doubled.
        assertThat(all).allSatisfy(e -> assertThat(decisions(e.id())).as("decisions of %s", e.id()).hasSizeLessThan(2));
        for (Target target : targets) {
            Deployment deployment = deployment(target);
            List<String> applied = AppliedEvents.ids(deployment.getMetadata().getAnnotations());
            List<Event<?>> own = all.stream().filter(e -> targetOf(e).equals(target.ref())).toList();
            // every event of the target is on it (an event whose only results are DUPLICATEs was applied too)
            assertThat(applied).as("events recorded on %s", target.ref().key())
                    .containsExactlyInAnyOrderElementsOf(own.stream().map(Event::id).toList());
            // and in the order of its topic: the scaler's and the upgrader's writes interleave, each in its order
            assertThat(applied.stream().filter(id -> isOn(own, id, Topics.SERVICE_SCALE)).toList())
                    .as("scale requests on %s in topic order", target.ref().key())
                    .containsExactlyElementsOf(ids(own, Topics.SERVICE_SCALE));
            assertThat(applied.stream().filter(id -> isOn(own, id, Topics.IMAGE_PUSHED)).toList())
                    .as("pushes on %s in topic order", target.ref().key())
                    .containsExactlyElementsOf(ids(own, Topics.IMAGE_PUSHED));
            // and where the one-by-one order leaves it
            assertThat(deployment.getSpec().getReplicas()).as("replicas of %s", target.ref().key())
                    .isEqualTo(oneByOneReplicas(target, own));
            assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                    .as("image of %s", target.ref().key()).isEqualTo(oneByOneImage(target, own));
        }
        assertThat(all).filteredOn(e -> decisions(e.id()).isEmpty())
                .allSatisfy(e -> assertThat(results(e.id())).extracting(ActionResult::outcome)
                        .containsOnly(Outcome.DUPLICATE));

        // The added replicas took over work.
        assertThat(addedScaler.handled(Topics.SERVICE_SCALE)).as("records handled by scaler-4").isPositive();
        assertThat(addedUpgrader.handled(Topics.IMAGE_PUSHED)).as("records handled by upgrader-4").isPositive();
        long redelivered = all.stream().filter(e -> results(e.id()).stream()
                .anyMatch(r -> r.outcome() == Outcome.DUPLICATE)).count();
        LOG.info("{} events for {} targets; {} of them redelivered after the kill and recognised as applied",
                all.size(), TARGETS, redelivered);
    }

    // ---------------------------------------------------------------- the load

    /** 30 Deployments; the first few are named so that every partition of both topics has targets. */
    private static List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        Set<Integer> scaleCovered = new HashSet<>();
        Set<Integer> pushCovered = new HashSet<>();
        for (int i = 0; i < TARGETS; i++) {
            String name = "app-" + i;
            WorkloadRef ref = new WorkloadRef(NS, "deployment", name);
            String repository = "team/" + name;
            int min = 1 + i % 2;
            Target target = new Target(ref, repository, min + 2, min, min + 4 + i % 3);
            targets.add(target);
            scaleCovered.add(WorkerReplicas.partitionOf(ref.key()));
            pushCovered.add(WorkerReplicas.partitionOf(push(target, "0").key()));
        }
        assertThat(scaleCovered).as("partitions of winch.service.scale with targets").hasSize(WorkerReplicas.PARTITIONS);
        assertThat(pushCovered).as("partitions of winch.image.pushed with targets").hasSize(WorkerReplicas.PARTITIONS);
        return targets;
    }

    /**
     * {@value #ROUNDS} rounds of one event per target each, shuffled within the round: a scale request (up more
     * often than down, amounts 1-3, so the bounds are hit) or, two times in five, a push of a new tag. Ten events
     * per target stay within the {@value AppliedEvents#KEEP} ids a Deployment keeps, so its annotation shows all.
     */
    private static List<List<Event<?>>> load(List<Target> targets, Random random) {
        List<List<Event<?>>> rounds = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<Event<?>> events = new ArrayList<>();
            for (Target target : targets) {
                if (random.nextInt(5) < 2) {
                    events.add(push(target, String.valueOf(round + 1)));
                } else {
                    ScaleAction action = random.nextInt(100) < 55 ? ScaleAction.UP : ScaleAction.DOWN;
                    events.add(new Event<>(UUID.randomUUID().toString(), SOURCE, Instant.now(),
                            new ServiceScaleRequested("alerts-" + action.name().toLowerCase(), target.ref(), action,
                                    1 + random.nextInt(3), target.min(), target.max(), 0)));
                }
            }
            Collections.shuffle(events, random);
            rounds.add(events);
        }
        return rounds;
    }

    private static Event<ImagePushed> push(Target target, String tag) {
        return new Event<>(UUID.randomUUID().toString(), SOURCE, Instant.now(), new ImagePushed("registry-push",
                target.repository(), tag, null, null, "dockerhub", UpgradeTarget.explicit(target.ref(), "app")));
    }

    private static List<Event<?>> flatten(List<List<Event<?>>> rounds) {
        return rounds.stream().flatMap(List::stream).toList();
    }

    /** Writes the events ten at a time on another thread, so replicas come and go while they arrive. */
    private CompletableFuture<Void> publishInBackground(List<Event<?>> events) {
        return CompletableFuture.runAsync(() -> {
            for (int from = 0; from < events.size(); from += 10) {
                try {
                    replicas.publish(events.subList(from, Math.min(from + 10, events.size())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    // ---------------------------------------------------------------- the reference

    /** Each scale request of the target applied alone, in topic order, within its bounds. */
    private static int oneByOneReplicas(Target target, List<Event<?>> own) {
        int replicas = target.start();
        for (Event<?> event : own) {
            if (event.data() instanceof ServiceScaleRequested request) {
                replicas = request.action() == ScaleAction.UP
                        ? Math.min(request.max(), replicas + request.amount())
                        : Math.max(request.min(), replicas - request.amount());
            }
        }
        return replicas;
    }

    /** The tag of the target's last push in topic order, or the image it started with. */
    private static String oneByOneImage(Target target, List<Event<?>> own) {
        String image = target.repository() + ":0";
        for (Event<?> event : own) {
            if (event.data() instanceof ImagePushed push) {
                image = push.repository() + ":" + push.tag();
            }
        }
        return image;
    }

    private static WorkloadRef targetOf(Event<?> event) {
        return event.data() instanceof ServiceScaleRequested request ? request.target()
                : ((ImagePushed) event.data()).target().workload();
    }

    private static List<String> ids(List<Event<?>> own, String topic) {
        return own.stream().filter(e -> e.topic().equals(topic)).map(Event::id).toList();
    }

    private static boolean isOn(List<Event<?>> own, String id, String topic) {
        return own.stream().anyMatch(e -> e.id().equals(id) && e.topic().equals(topic));
    }

    // ---------------------------------------------------------------- what happened

    /** The results of an event, the upgrader's rollout reports left aside. */
    private List<ActionResult> results(String eventId) {
        return replicas.results().of(eventId).stream()
                .filter(r -> !"rollout".equals(r.details().get("stage")))
                .toList();
    }

    private List<ActionResult> decisions(String eventId) {
        return results(eventId).stream().filter(r -> r.outcome() != Outcome.DUPLICATE).toList();
    }

    private void create(Target target) {
        String name = target.ref().name();
        Map<String, String> labels = Map.of("app", name);
        kubernetes.client().apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(target.start())
                .withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(target.repository() + ":0").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    private Deployment deployment(Target target) {
        return kubernetes.client().apps().deployments().inNamespace(NS).withName(target.ref().name()).get();
    }
}
