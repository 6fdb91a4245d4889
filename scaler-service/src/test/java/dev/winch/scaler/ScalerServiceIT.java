package dev.winch.scaler;

import static dev.winch.scaler.Requests.down;
import static dev.winch.scaler.Requests.up;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.AppliedOffsets;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.WithKafka;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scaler service end to end on the real broker, against the Kubernetes mock server. */
@WithKafka
class ScalerServiceIT {

    private SandboxKubernetes kubernetes;
    private ScalerFixture fixture;

    @BeforeEach
    void start(KafkaBroker broker) {
        kubernetes = SandboxKubernetes.start();
        kubernetes.seedDemo();
        fixture = new ScalerFixture(broker, kubernetes);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        kubernetes.close();
    }

    @Test
    void scalesTheWorkloadAndPublishesTheOutcomeWithItsTimings() throws Exception {
        fixture.start("a");
        Event<ServiceScaleRequested> request = up(id(), 2, 1, 5);

        fixture.publish(request);

        ActionResult result = awaitResult(request.id());
        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.causeType()).isEqualTo("dev.winch.service.scale.requested");
        assertThat(result.receiverId()).isEqualTo("am-up");
        assertThat(result.target()).isEqualTo("demo/deployment/web");
        assertThat(result.reason()).isEqualTo("scaled demo/deployment/web up from 2 to 4");
        assertThat(result.worker()).isEqualTo("scaler");
        assertThat(result.details()).containsEntry("instance", "a").containsEntry("from", "2").containsEntry("to", "4");
        assertThat(result.startedAt()).isNotNull();
        assertThat(result.finishedAt()).isAfterOrEqualTo(result.startedAt());
        assertThat(web().getSpec().getReplicas()).isEqualTo(4);
    }

    @Test
    void startsAsItsMainDoesWithTheClientBuiltOffTheEventLoop() throws Exception {
        AtomicReference<String> builtOn = new AtomicReference<>();
        AtomicBoolean onEventLoop = new AtomicBoolean(true);
        fixture.startAsItsMainDoes("main", settings -> {
            builtOn.set(Thread.currentThread().getName());
            onEventLoop.set(Context.isOnEventLoopThread());
            return fixture.newClient();
        });
        Event<ServiceScaleRequested> request = up(id(), 1, 1, 5);

        fixture.publish(request);

        assertThat(awaitResult(request.id()).outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(web().getSpec().getReplicas()).isEqualTo(3);
        assertThat(onEventLoop.get()).as("client built on %s", builtOn.get()).isFalse();
    }

    @Test
    void reportsARedeliveredRecordAsADuplicateAndScalesOnce() throws Exception {
        fixture.start("a");
        Event<ServiceScaleRequested> request = up(id(), 1, 1, 5);

        fixture.publish(request);
        fixture.publish(request);

        await().atMost(ScalerFixture.WAIT).until(() -> fixture.results().of(request.id()).size() == 2);
        assertThat(fixture.results().of(request.id())).extracting(ActionResult::outcome)
                .containsExactly(Outcome.APPLIED, Outcome.DUPLICATE);
        assertThat(web().getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void doesNotScaleTwiceWhenTheWorkerDiesBetweenTheKubernetesWriteAndTheOffsetCommit() throws Exception {
        // Instance a writes the new replica count and the event id, then hangs before it could publish the result
        // or commit the offset: the state a killed worker leaves behind.
        AtomicInteger writes = new AtomicInteger();
        ScalerFixture.Instance doomed = fixture.start("a", (ref, plan) -> {
            writes.incrementAndGet();
            return Promise.<Void>promise().future();
        });
        Event<ServiceScaleRequested> request = up(id(), 1, 1, 5);
        fixture.publish(request);
        await().atMost(ScalerFixture.WAIT).until(() -> writes.get() == 1);
        assertThat(web().getSpec().getReplicas()).isEqualTo(3);

        doomed.stop();
        fixture.start("b");

        ActionResult result = awaitResult(request.id());
        assertThat(result.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(result.details()).containsEntry("instance", "b");
        assertThat(fixture.results().of(request.id())).hasSize(1);
        assertThat(web().getSpec().getReplicas()).isEqualTo(3);
        assertThat(web().getMetadata().getAnnotations()).containsEntry(AppliedEvents.ANNOTATION, request.id());
    }

    @Test
    void foldsTheRequestsWaitingForOneTargetIntoOneWrite() throws Exception {
        List<Event<ServiceScaleRequested>> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burst.add(up(id(), 1, 1, 6));
        }
        fixture.publish(burst);

        ScalerFixture.Instance scaler = fixture.start("a");

        await().atMost(ScalerFixture.WAIT).until(() -> burst.stream()
                .allMatch(e -> !fixture.results().of(e.id()).isEmpty()));
        String allIds = String.join(",", burst.stream().map(Event::id).toList());
        List<ActionResult> results = burst.stream().map(e -> fixture.results().of(e.id()).get(0)).toList();
        assertThat(results).extracting(ActionResult::outcome).containsExactly(Outcome.APPLIED, Outcome.APPLIED,
                Outcome.APPLIED, Outcome.APPLIED, Outcome.NOOP, Outcome.NOOP, Outcome.NOOP, Outcome.NOOP);
        assertThat(results).allSatisfy(r -> assertThat(r.details()).containsEntry("foldedEventIds", allIds)
                .containsEntry("replicasBefore", "2").containsEntry("replicasAfter", "6"));
        assertThat(web().getSpec().getReplicas()).isEqualTo(6);
        assertThat(scaler.runtime().registry().find("winch_scaler_writes_total").counter().count()).isEqualTo(1);
    }

    @Test
    void foldsABurstOfAThousandForOneDeploymentIntoAtMostTenWritesEndingWhereOneByOneEnds() throws Exception {
        List<Event<ServiceScaleRequested>> burst = randomWalk(1000, 30);
        fixture.publish(burst);

        ScalerFixture.Instance scaler = fixture.start("a");

        awaitResults(burst);
        assertThat(web().getSpec().getReplicas()).isEqualTo(oneByOne(2, burst, 30));
        assertThat(burst).allSatisfy(e -> assertThat(fixture.results().of(e.id())).hasSize(1));
        assertThat(scaler.runtime().registry().find("winch_scaler_writes_total").counter().count())
                .isLessThanOrEqualTo(10);
        // topic/partition@topicId: the topic's id names which life of the topic the offset belongs to
        assertThat(AppliedOffsets.read(web().getMetadata().getAnnotations())).hasSize(1).hasKeySatisfying(
                new org.assertj.core.api.Condition<>(key -> key.matches("winch\\.service\\.scale/"
                        + ScalerFixture.partitionOf("demo/deployment/web") + "@[A-Za-z0-9_-]{22}"),
                        "an entry of the partition with its topic id"));
    }

    @Test
    void doesNotApplyAnyRequestOfAFoldedBurstTwiceWhenTheWorkerDiesBeforeTheCommit() throws Exception {
        List<Event<ServiceScaleRequested>> burst = randomWalk(150, 30);
        fixture.publish(burst);
        // Instance a writes its first fold and hangs before publishing results or committing: a killed worker.
        Set<String> written = ConcurrentHashMap.newKeySet();
        ScalerFixture.Instance doomed = fixture.start("a", (ref, plan) -> {
            written.addAll(plan.recordedEventIds());
            return Promise.<Void>promise().future();
        });
        await().atMost(ScalerFixture.WAIT).until(() -> !written.isEmpty());

        doomed.stop();
        fixture.start("b");

        awaitResults(burst);
        // more than the 20 ids the workload keeps: the offset recognises the rest
        assertThat(written).hasSizeGreaterThan(AppliedEvents.KEEP);
        assertThat(burst).allSatisfy(e -> {
            List<ActionResult> results = fixture.results().of(e.id());
            assertThat(results).hasSize(1);
            assertThat(results.get(0).details()).containsEntry("instance", "b");
            if (written.contains(e.id())) {
                assertThat(results.get(0).outcome()).isEqualTo(Outcome.DUPLICATE);
            } else {
                assertThat(results.get(0).outcome()).isNotEqualTo(Outcome.DUPLICATE);
            }
        });
        assertThat(web().getSpec().getReplicas()).isEqualTo(oneByOne(2, burst, 30));
    }

    @Test
    void deadLettersARecordThatIsNotAScaleRequestAndKeepsGoing() throws Exception {
        fixture.start("a");
        Event<ImagePushed> stray = Event.create(URI.create("/winch/gateway/hooks/x"),
                new ImagePushed("push-hook", "library/nginx", "1.27", null, null, "dockerhub",
                        ImagePushed.UpgradeTarget.explicit(Requests.WEB, "web")), Clock.systemUTC());
        Event<ServiceScaleRequested> request = up(id(), 1, 1, 5);

        fixture.publishToScaleTopic(stray);
        fixture.publish(request);

        assertThat(awaitResult(request.id()).outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(fixture.results().of(stray.id())).isEmpty();
        String reason = fixture.deadLetterReason(stray.id());
        assertThat(reason).contains("belongs on " + dev.winch.common.event.Topics.IMAGE_PUSHED);
    }

    private ActionResult awaitResult(String eventId) {
        await().atMost(ScalerFixture.WAIT).until(() -> !fixture.results().of(eventId).isEmpty());
        return fixture.results().of(eventId).get(0);
    }

    /** Up or down by 1 within [1, max], at random (seeded): the walk hits the bounds, so the order matters. */
    private static List<Event<ServiceScaleRequested>> randomWalk(int count, int max) {
        Random random = new Random(count);
        List<Event<ServiceScaleRequested>> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(random.nextBoolean() ? up(id(), 1, 1, max) : down(id(), 1, 1, max));
        }
        return requests;
    }

    /** Where applying each request of {@code requests} on its own, in order, leads (none has a cooldown). */
    private static int oneByOne(int replicas, List<Event<ServiceScaleRequested>> requests, int max) {
        for (Event<ServiceScaleRequested> request : requests) {
            boolean up = request.data().action() == dev.winch.common.event.ScaleAction.UP;
            replicas = up ? Math.min(max, replicas + 1) : Math.max(1, replicas - 1);
        }
        return replicas;
    }

    private void awaitResults(List<Event<ServiceScaleRequested>> requests) {
        await().atMost(ScalerFixture.WAIT).until(() -> requests.stream()
                .allMatch(e -> !fixture.results().of(e.id()).isEmpty()));
    }

    private Deployment web() {
        return kubernetes.client().apps().deployments().inNamespace("demo").withName("web").get();
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }
}
