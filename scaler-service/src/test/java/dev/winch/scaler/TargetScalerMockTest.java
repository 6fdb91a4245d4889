package dev.winch.scaler;

import static dev.winch.scaler.Requests.down;
import static dev.winch.scaler.Requests.on;
import static dev.winch.scaler.Requests.up;
import static dev.winch.scaler.Requests.withCooldown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.common.runtime.Blocking;
import dev.winch.kubernetes.UpdateResult;
import dev.winch.kubernetes.AppliedEvents;
import dev.winch.kubernetes.AppliedOffsets;
import dev.winch.scaler.kubernetes.HorizontalPodAutoscalers;
import dev.winch.scaler.kubernetes.Hpas;
import dev.winch.scaler.kubernetes.KubernetesWorkloads;
import dev.winch.scaler.kubernetes.Workload;
import dev.winch.scaler.kubernetes.Workloads;
import dev.winch.scaler.model.ScalePlan;
import dev.winch.scaler.model.WorkloadState;
import dev.winch.testkit.MutableClock;
import dev.winch.testkit.SandboxKubernetes;
import dev.winch.testkit.ServedApiVersions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scaling one target against the Kubernetes mock server in CRUD mode. */
class TargetScalerMockTest {

    private static final String NS = "demo";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:05Z");

    private static Vertx vertx;
    private static Blocking blocking;

    private SandboxKubernetes kubernetes;
    private KubernetesClient client;
    private final MutableClock clock = new MutableClock(NOW);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        blocking = new Blocking(vertx.createSharedWorkerExecutor("scaler-mock-test", 2), Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startKubernetes() {
        kubernetes = SandboxKubernetes.start();
        kubernetes.seedDemo();
        client = kubernetes.client();
    }

    @AfterEach
    void stopKubernetes() {
        kubernetes.close();
    }

    /** Replaces the sandbox by one answering as an API server that serves only {@code versions}, seeded alike. */
    private void onCluster(ServedApiVersions versions) {
        kubernetes.close();
        kubernetes = SandboxKubernetes.start(versions);
        kubernetes.seedDemo();
        client = kubernetes.client();
    }

    // ------------------------------------------------------------------------------------------- bounds

    @Test
    void scalesADeploymentAndRecordsTheEventIdInTheSameWrite() throws Exception {
        ActionResult result = scaleOne(up("e1", 1, 1, 5));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.reason()).isEqualTo("scaled demo/deployment/web up from 2 to 3");
        assertThat(result.target()).isEqualTo("demo/deployment/web");
        assertThat(result.details()).containsEntry("from", "2").containsEntry("to", "3").containsEntry("attempts", "1");
        Deployment web = deployment("web");
        assertThat(web.getSpec().getReplicas()).isEqualTo(3);
        assertThat(web.getMetadata().getAnnotations())
                .containsEntry(AppliedEvents.ANNOTATION, "e1")
                .containsEntry(WorkloadState.LAST_SCALED_AT, NOW.toString())
                .containsEntry(WorkloadState.LAST_SCALED_BY, "am-up");
        assertThat(registry.counter("winch_scaler_writes_total").count()).isEqualTo(1);
    }

    @Test
    void scalesUpToMaxButNotBeyond() throws Exception {
        ActionResult result = scaleOne(up("e1", 5, 1, 4));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("clamped", "true").containsEntry("to", "4");
        assertThat(result.reason()).contains("the maximum");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(4);
    }

    @Test
    void scalesAStatefulSetDownToMinButNotBelow() throws Exception {
        client.apps().statefulSets().inNamespace(NS).resource(statefulSet("db", 3, Map.of())).create();
        WorkloadRef db = new WorkloadRef(NS, "statefulset", "db");

        ActionResult result = scaleOne(on(db, down("e1", 5, 1, 5)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("clamped", "true").containsEntry("from", "3").containsEntry("to", "1");
        StatefulSet after = client.apps().statefulSets().inNamespace(NS).withName("db").get();
        assertThat(after.getSpec().getReplicas()).isEqualTo(1);
        assertThat(after.getMetadata().getAnnotations()).containsEntry(AppliedEvents.ANNOTATION, "e1");
    }

    @Test
    void scalesAReplicaSetThatNoDeploymentOwns() throws Exception {
        client.apps().replicaSets().inNamespace(NS).resource(replicaSet("standalone", null)).create();

        ActionResult result = scaleOne(on(new WorkloadRef(NS, "replicaset", "standalone"), up("e1", 2, 1, 5)));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(client.apps().replicaSets().inNamespace(NS).withName("standalone").get().getSpec().getReplicas())
                .isEqualTo(3);
    }

    @Test
    void reportsANoopAtMaxAndLeavesTheReplicasAlone() throws Exception {
        ActionResult result = scaleOne(up("e1", 1, 1, 2));

        assertThat(result.outcome()).isEqualTo(Outcome.NOOP);
        assertThat(result.reason()).isEqualTo(
                "demo/deployment/web is already at 2 replicas, the maximum; nothing to scale up");
        Deployment web = deployment("web");
        assertThat(web.getSpec().getReplicas()).isEqualTo(2);
        assertThat(web.getMetadata().getAnnotations()).containsEntry(AppliedEvents.ANNOTATION, "e1")
                .doesNotContainKey(WorkloadState.LAST_SCALED_AT);
    }

    // ------------------------------------------------------------------------------------------- failures

    @Test
    void failsForAWorkloadThatDoesNotExistAndCreatesNothing() throws Exception {
        ActionResult result = scaleOne(on(new WorkloadRef(NS, "deployment", "ghost"), up("e1", 1, 1, 5)));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.reason()).isEqualTo("demo/deployment/ghost does not exist; nothing was changed");
        assertThat(result.details()).containsEntry("failure", "not-found");
        assertThat(client.apps().deployments().inNamespace(NS).withName("ghost").get()).isNull();
    }

    @Test
    void failsForADaemonSetAndLeavesItAlone() throws Exception {
        DaemonSet agent = client.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder()
                .withNewMetadata().withName("agent").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
                .withNewSpec().addNewContainer().withName("agent").withImage("agent:1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();

        ActionResult result = scaleOne(on(new WorkloadRef(NS, "daemonset", "agent"), up("e1", 1, 1, 5)));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.details()).containsEntry("failure", "not-scalable");
        assertThat(result.reason()).startsWith("a daemonset runs one pod per eligible node and has no replica count");
        assertThat(client.apps().daemonSets().inNamespace(NS).withName("agent").get().getMetadata()
                .getResourceVersion()).isEqualTo(agent.getMetadata().getResourceVersion());
    }

    @Test
    void refusesAReplicaSetControlledByADeployment() throws Exception {
        Deployment web = deployment("web");
        client.apps().replicaSets().inNamespace(NS).resource(replicaSet("web-5d4f", web)).create();

        ActionResult result = scaleOne(on(new WorkloadRef(NS, "replicaset", "web-5d4f"), up("e1", 1, 1, 5)));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.details()).containsEntry("failure", "controlled").containsEntry("controller", "deployment/web");
        assertThat(result.reason()).contains("scale deployment/web instead");
        assertThat(client.apps().replicaSets().inNamespace(NS).withName("web-5d4f").get().getSpec().getReplicas())
                .isEqualTo(1);
    }

    @Test
    void refusesAWorkloadScaledByAHorizontalPodAutoscalerAndChangesNeither() throws Exception {
        HorizontalPodAutoscaler hpa = Hpas.createV2(client, NS, "web-cpu", "Deployment", "web");

        ActionResult result = scaleOne(up("e1", 1, 1, 5));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.details()).containsEntry("failure", "hpa-managed").containsEntry("hpa", "web-cpu");
        assertThat(result.reason()).isEqualTo("demo/deployment/web is scaled by the HorizontalPodAutoscaler web-cpu; "
                + "Winch does not fight it. Change the HPA's minReplicas/maxReplicas, or remove it to let this "
                + "receiver scale the workload. Nothing was changed");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment("web").getMetadata().getAnnotations()).isNullOrEmpty();
        HorizontalPodAutoscaler after = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS)
                .withName("web-cpu").get();
        assertThat(after.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(after.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(hpa.getMetadata().getResourceVersion());
    }

    @Test
    void scalesAWorkloadWhenTheOnlyHpaTargetsAnother() throws Exception {
        Hpas.createV2(client, NS, "api-cpu", "Deployment", "api");
        Hpas.createV2(client, NS, "web-sts", "StatefulSet", "web");

        assertThat(scaleOne(up("e1", 1, 1, 5)).outcome()).isEqualTo(Outcome.APPLIED);
    }

    // ------------------------------------------------------------------------------------------- API versions

    @Test
    void scalesOnAClusterThatServesNoAutoscalingV2LikeKubernetes120() throws Exception {
        onCluster(new ServedApiVersions().serve("autoscaling", "v1", "v2beta1", "v2beta2"));
        assertThatThrownBy(() -> client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).list())
                .as("the sandbox answers as a 1.20 API server").hasMessageContaining("404");

        ActionResult result = scaleOne(up("e1", 1, 1, 5));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void refusesAWorkloadWithAnHpaOnAClusterThatServesNoAutoscalingV2() throws Exception {
        onCluster(new ServedApiVersions().serve("autoscaling", "v1", "v2beta1", "v2beta2"));
        Hpas.createV2beta2(client, NS, "web-cpu", "Deployment", "web");

        ActionResult result = scaleOne(up("e1", 1, 1, 5));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.details()).containsEntry("failure", "hpa-managed").containsEntry("hpa", "web-cpu");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void refusesAWorkloadWithAnHpaOnAClusterThatServesOnlyAutoscalingV1() throws Exception {
        onCluster(new ServedApiVersions().serve("autoscaling", "v1"));
        Hpas.createV1(client, NS, "web-cpu", "Deployment", "web");

        ActionResult result = scaleOne(up("e1", 1, 1, 5));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.details()).containsEntry("failure", "hpa-managed").containsEntry("hpa", "web-cpu");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void scalesAndRefusesAsBeforeOnTheNewestApiShape() throws Exception {
        // 1.26 and later: v2beta2 is gone, v2 and v1 are served.
        onCluster(new ServedApiVersions().serve("autoscaling", "v2", "v1"));
        client.apps().deployments().inNamespace(NS).resource(deploymentNamed("api", 2, Map.of())).create();
        Hpas.createV2(client, NS, "api-cpu", "Deployment", "api");

        assertThat(scaleOne(up("e1", 1, 1, 5)).outcome()).isEqualTo(Outcome.APPLIED);
        ActionResult refused = scaleOne(on(new WorkloadRef(NS, "deployment", "api"), up("e2", 1, 1, 5)));
        assertThat(refused.details()).containsEntry("failure", "hpa-managed").containsEntry("hpa", "api-cpu");
    }

    @Test
    void scalesOnAClusterThatServesNoAutoscalingApiAtAll() throws Exception {
        onCluster(new ServedApiVersions().serve("autoscaling"));

        ActionResult result = scaleOne(up("e1", 1, 1, 5));

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------------- exactly once

    @Test
    void reportsARedeliveredEventAsADuplicateAndDoesNotApplyItAgain() throws Exception {
        TargetScaler scaler = scaler(workloads());
        Event<ServiceScaleRequested> event = up("e1", 1, 1, 5);

        ActionResult first = scaler.scale(List.of(event)).await(20, TimeUnit.SECONDS).get(0);
        ActionResult again = scaler.scale(List.of(event)).await(20, TimeUnit.SECONDS).get(0);

        assertThat(first.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(again.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(again.reason()).isEqualTo("event e1 was already applied to demo/deployment/web; not applied again");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(3);
        assertThat(registry.counter("winch_scaler_writes_total").count()).isEqualTo(1);
    }

    @Test
    void foldsABurstIntoOneWriteThatEqualsApplyingThemOneByOne() throws Exception {
        CountingWorkloads counting = new CountingWorkloads(workloads(), write -> { });
        List<Event<ServiceScaleRequested>> burst = List.of(up("a", 1, 1, 5), up("b", 1, 1, 5), up("c", 1, 1, 5),
                up("d", 1, 1, 5), down("e", 1, 1, 5), up("f", 2, 1, 5));

        List<ActionResult> results = scaler(counting).scale(burst).await(20, TimeUnit.SECONDS);

        // 2 → 3 → 4 → 5 → 5 (max) → 4 → 5 (clamped)
        assertThat(counting.writes.get()).isEqualTo(1);
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(5);
        assertThat(results).extracting(ActionResult::outcome).containsExactly(Outcome.APPLIED, Outcome.APPLIED,
                Outcome.APPLIED, Outcome.NOOP, Outcome.APPLIED, Outcome.APPLIED);
        assertThat(results).extracting(r -> r.details().get("to")).containsExactly("3", "4", "5", "5", "4", "5");
        assertThat(results).allSatisfy(r -> assertThat(r.details())
                .containsEntry("foldedEventIds", "a,b,c,d,e,f")
                .containsEntry("replicasBefore", "2").containsEntry("replicasAfter", "5"));
        assertThat(deployment("web").getMetadata().getAnnotations())
                .containsEntry(AppliedEvents.ANNOTATION, "a,b,c,d,e,f");
    }

    @Test
    void recognisesEveryRequestOfAFoldedBurstRedeliveredAfterTheWorkerDiedBeforeTheCommit() throws Exception {
        List<Event<ServiceScaleRequested>> burst = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            burst.add(i % 4 == 3 ? down("d" + i, 1, 1, 100) : up("u" + i, 1, 1, 100));
        }
        List<RecordPosition> positions = positions(2, 700, burst.size());
        // The worker writes the fold, then dies before its results are published and its offsets committed.
        TargetScaler dying = new TargetScaler(workloads(),
                new HorizontalPodAutoscalers(client, blocking, clock, registry), clock, "scaler-a", registry, (ref, plan) -> Future.failedFuture(new IllegalStateException("killed")));
        assertThatThrownBy(() -> dying.scale(burst, positions).await(20, TimeUnit.SECONDS)).hasMessage("killed");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(99);

        // The partition's next owner reads the same records again.
        List<ActionResult> again = scaler(workloads()).scale(burst, positions).await(20, TimeUnit.SECONDS);

        assertThat(again).hasSize(300).extracting(ActionResult::outcome).containsOnly(Outcome.DUPLICATE);
        assertThat(again.get(0).reason()).isEqualTo("event u0 (record winch.service.scale/2@700) was already "
                + "decided on demo/deployment/web, which records offsets up to 999 of winch.service.scale/2; not "
                + "applied again");
        Deployment web = deployment("web");
        assertThat(web.getSpec().getReplicas()).isEqualTo(99);
        assertThat(web.getMetadata().getAnnotations())
                .containsEntry(AppliedOffsets.ANNOTATION, "{\"winch.service.scale/2\":999}");
        assertThat(AppliedEvents.ids(web.getMetadata().getAnnotations())).hasSize(AppliedEvents.KEEP).last()
                .isEqualTo("d299");
        assertThat(registry.counter("winch_scaler_writes_total").count()).isEqualTo(1);
    }

    @Test
    void reportsAnAppliedEventPublishedAgainAsANewRecordAsADuplicate() throws Exception {
        TargetScaler scaler = scaler(workloads());
        Event<ServiceScaleRequested> event = up("e1", 1, 1, 5);

        ActionResult first = scaler.scale(List.of(event), positions(0, 10, 1)).await(20, TimeUnit.SECONDS).get(0);
        // The sender retried the delivery: same event id, a later record of the partition.
        ActionResult replay = scaler.scale(List.of(event), positions(0, 11, 1)).await(20, TimeUnit.SECONDS).get(0);

        assertThat(first.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(replay.outcome()).isEqualTo(Outcome.DUPLICATE);
        assertThat(replay.reason()).isEqualTo("event e1 was already applied to demo/deployment/web; not applied again");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(3);
        assertThat(registry.counter("winch_scaler_writes_total").count()).isEqualTo(1);
    }

    @Test
    void appliesARecordOfAnotherPartitionWithALowerOffset() throws Exception {
        TargetScaler scaler = scaler(workloads());

        scaler.scale(List.of(up("e1", 1, 1, 5)), positions(3, 1234, 1)).await(20, TimeUnit.SECONDS);
        // The topic got more partitions and web's key moved to partition 1, whose offsets are its own.
        ActionResult moved = scaler.scale(List.of(up("e2", 1, 1, 5)), positions(1, 8, 1))
                .await(20, TimeUnit.SECONDS).get(0);

        assertThat(moved.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(4);
        assertThat(AppliedOffsets.read(deployment("web").getMetadata().getAnnotations())).containsExactly(
                Map.entry("winch.service.scale/1", 8L), Map.entry("winch.service.scale/3", 1234L));
    }

    @Test
    void readsAgainAndRePlansWhenTheWorkloadChangedUnderTheWrite() throws Exception {
        // Between the scaler's read and its write, someone scales web to 4 and labels it.
        AtomicInteger interfered = new AtomicInteger();
        CountingWorkloads racing = new CountingWorkloads(workloads(), write -> {
            if (interfered.getAndIncrement() == 0) {
                client.apps().deployments().inNamespace(NS).withName("web").edit(d -> new DeploymentBuilder(d)
                        .editSpec().withReplicas(4).endSpec()
                        .editMetadata().addToLabels("touched-by", "kubectl").endMetadata().build());
            }
        });

        ActionResult result = scaler(racing).scale(List.of(up("e1", 1, 1, 10))).await(20, TimeUnit.SECONDS).get(0);

        assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(result.details()).containsEntry("from", "4").containsEntry("to", "5").containsEntry("attempts", "2");
        Deployment web = deployment("web");
        assertThat(web.getSpec().getReplicas()).isEqualTo(5);
        assertThat(web.getMetadata().getLabels()).containsEntry("touched-by", "kubectl");
        assertThat(registry.counter("winch_scaler_write_conflicts_total").count()).isEqualTo(1);
    }

    @Test
    void leavesARunOfConflictsToTheConsumersRetry() {
        CountingWorkloads alwaysStale = new CountingWorkloads(workloads(), write ->
                client.apps().deployments().inNamespace(NS).withName("web")
                        .edit(d -> new DeploymentBuilder(d).editMetadata()
                                .addToLabels("bump", String.valueOf(System.nanoTime())).endMetadata().build()));

        Future<List<ActionResult>> scaled = scaler(alwaysStale).scale(List.of(up("e1", 1, 1, 5)));

        assertThatThrownBy(() -> scaled.await(20, TimeUnit.SECONDS))
                .isInstanceOf(TargetScaler.ConflictingWritesException.class)
                .hasMessageContaining("demo/deployment/web changed under 5 writes in a row");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void failsTheFutureWhenTheApiServerCannotBeAskedSoTheBatchIsRetried() {
        Workloads unreachable = new CountingWorkloads(workloads(), write -> { }) {
            @Override
            public Future<Optional<Workload>> get(WorkloadRef ref) {
                return Future.failedFuture(new IllegalStateException("connection refused"));
            }
        };

        assertThatThrownBy(() -> scaler(unreachable).scale(List.of(up("e1", 1, 1, 5))).await(20, TimeUnit.SECONDS))
                .hasMessageContaining("connection refused");
    }

    @Test
    void reportsTheApiServersWordsWhenItRejectsTheWriteAndChangesNothing() throws Exception {
        // A real API server validates the object (the mock server stores anything): its 422 and Status message, as
        // the update helper hands them over.
        Workloads validating = new CountingWorkloads(workloads(), write -> { }) {
            @Override
            public Future<UpdateResult<Workload, ScalePlan>> write(Workload read, Function<Workload, ScalePlan> plan) {
                return Future.succeededFuture(new UpdateResult.Rejected<>(plan.apply(read), 1, 422,
                        "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: 3: quota exceeded"));
            }
        };

        ActionResult result = scaler(validating).scale(List.of(up("e1", 1, 1, 5))).await(20, TimeUnit.SECONDS).get(0);

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.reason()).isEqualTo("the API server rejected 3 replicas for demo/deployment/web (422): "
                + "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: 3: quota exceeded");
        assertThat(result.details()).containsEntry("failure", "rejected").containsEntry("code", "422");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(2);
        assertThat(AppliedEvents.ids(deployment("web").getMetadata().getAnnotations())).isEmpty();
        assertThat(registry.counter("winch_scaler_writes_total").count()).isZero();
    }

    // ------------------------------------------------------------------------------------------- cooldown

    @Test
    void skipsASecondScaleWithinTheReceiversCooldownAndScalesAfterIt() throws Exception {
        TargetScaler scaler = scaler(workloads());

        ActionResult first = scaler.scale(List.of(withCooldown(up("e1", 1, 1, 9), 60)))
                .await(20, TimeUnit.SECONDS).get(0);
        clock.advance(Duration.ofSeconds(30));
        ActionResult second = scaler.scale(List.of(withCooldown(up("e2", 1, 1, 9), 60)))
                .await(20, TimeUnit.SECONDS).get(0);
        clock.advance(Duration.ofSeconds(30));
        ActionResult third = scaler.scale(List.of(withCooldown(up("e3", 1, 1, 9), 60)))
                .await(20, TimeUnit.SECONDS).get(0);

        assertThat(first.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(second.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(second.reason()).contains("within the 60 s cooldown of receiver am-up");
        assertThat(second.details()).containsEntry("cooldownUntil", NOW.plusSeconds(60).toString());
        assertThat(third.outcome()).isEqualTo(Outcome.APPLIED);
        Deployment web = deployment("web");
        assertThat(web.getSpec().getReplicas()).isEqualTo(4);
        assertThat(web.getMetadata().getAnnotations())
                .containsEntry(WorkloadState.LAST_SCALED_AT, NOW.plusSeconds(60).toString())
                .containsEntry(AppliedEvents.ANNOTATION, "e1,e2,e3");
    }

    // ------------------------------------------------------------------------------------------- selectors

    @Test
    void scalesEveryDeploymentAndStatefulSetTheSelectorMatchesWithOneResultEach() throws Exception {
        client.apps().deployments().inNamespace(NS).resource(deploymentNamed("api", 1, Map.of("tier", "front")))
                .create();
        client.apps().statefulSets().inNamespace(NS).resource(statefulSet("cache", 2, Map.of("tier", "front")))
                .create();
        client.apps().deployments().inNamespace(NS).resource(deploymentNamed("batch", 1, Map.of("tier", "back")))
                .create();

        List<ActionResult> results = scaler(workloads())
                .scale(List.of(Requests.selected("e1", NS, Map.of("tier", "front"), ScaleAction.UP, 1, 1, 5)))
                .await(20, TimeUnit.SECONDS);

        assertThat(results).extracting(ActionResult::target)
                .containsExactly("demo/deployment/api", "demo/statefulset/cache");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.causeId()).isEqualTo("e1");
            assertThat(r.outcome()).isEqualTo(Outcome.APPLIED);
            assertThat(r.details()).containsEntry("selector", "demo/selector:tier=front");
        });
        assertThat(deployment("api").getSpec().getReplicas()).isEqualTo(2);
        assertThat(client.apps().statefulSets().inNamespace(NS).withName("cache").get().getSpec().getReplicas())
                .isEqualTo(3);
        assertThat(deployment("batch").getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void aSelectorLabelWithAnEmptyValueMatchesOnTheKeyAlone() throws Exception {
        client.apps().deployments().inNamespace(NS).resource(deploymentNamed("api", 1,
                Map.of("winch.dev/autoscale", "cpu"))).create();
        client.apps().deployments().inNamespace(NS).resource(deploymentNamed("worker", 1,
                Map.of("winch.dev/autoscale", "queue"))).create();

        List<ActionResult> results = scaler(workloads())
                .scale(List.of(Requests.selected("e1", NS, Map.of("winch.dev/autoscale", ""), ScaleAction.UP, 1, 1,
                        5)))
                .await(20, TimeUnit.SECONDS);

        assertThat(results).extracting(ActionResult::target).containsExactly("demo/deployment/api",
                "demo/deployment/worker");
        assertThat(deployment("web").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void failsASelectorThatMatchesNothing() throws Exception {
        List<ActionResult> results = scaler(workloads())
                .scale(List.of(Requests.selected("e1", NS, Map.of("tier", "nope"), ScaleAction.UP, 1, 1, 5)))
                .await(20, TimeUnit.SECONDS);

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.target()).isEqualTo("demo/selector:tier=nope");
            assertThat(r.details()).containsEntry("failure", "no-match");
            assertThat(r.reason()).isEqualTo("no Deployment or StatefulSet in namespace demo has the labels "
                    + "{tier=nope}; nothing was changed");
        });
    }

    // ------------------------------------------------------------------------------------------- helpers

    private ActionResult scaleOne(Event<ServiceScaleRequested> request) throws Exception {
        List<ActionResult> results = scaler(workloads()).scale(List.of(request)).await(20, TimeUnit.SECONDS);
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private static List<RecordPosition> positions(int partition, long first, int count) {
        List<RecordPosition> positions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            positions.add(new RecordPosition(Topics.SERVICE_SCALE, partition, first + i));
        }
        return positions;
    }

    private Workloads workloads() {
        return new KubernetesWorkloads(client, blocking);
    }

    private TargetScaler scaler(Workloads workloads) {
        return new TargetScaler(workloads, new HorizontalPodAutoscalers(client, blocking, clock, registry),
                clock, "scaler-test",
                registry, TargetScaler.AfterWrite.NONE);
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NS).withName(name).get();
    }

    private static Deployment deploymentNamed(String name, int replicas, Map<String, String> labels) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(name + ":1").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private static StatefulSet statefulSet(String name, int replicas, Map<String, String> labels) {
        return new StatefulSetBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName(name)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(name + ":1").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private static ReplicaSet replicaSet(String name, HasMetadata owner) {
        ReplicaSetBuilder builder = new ReplicaSetBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(name + ":1").endContainer().endSpec()
                .endTemplate().endSpec();
        if (owner != null) {
            builder.editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1").withKind(owner.getKind()).withName(owner.getMetadata().getName())
                    .withUid(owner.getMetadata().getUid() == null ? "uid-1" : owner.getMetadata().getUid())
                    .withController(true).build()).endMetadata();
        }
        return builder.build();
    }

    /**
     * Counts writes and runs {@code beforeWrite} (on the worker thread) before each attempt: after the read the plan
     * is made from and before its write, where another writer can get in.
     */
    private static class CountingWorkloads implements Workloads {
        final Workloads delegate;
        final Consumer<Workload> beforeWrite;
        final AtomicInteger writes = new AtomicInteger();

        CountingWorkloads(Workloads delegate, Consumer<Workload> beforeWrite) {
            this.delegate = delegate;
            this.beforeWrite = beforeWrite;
        }

        @Override
        public Future<Optional<Workload>> get(WorkloadRef ref) {
            return delegate.get(ref);
        }

        @Override
        public Future<List<Workload>> select(String namespace, Map<String, String> labels) {
            return delegate.select(namespace, labels);
        }

        @Override
        public Future<UpdateResult<Workload, ScalePlan>> write(Workload read, Function<Workload, ScalePlan> plan) {
            return delegate.write(read, current -> {
                        beforeWrite.accept(current);
                        return plan.apply(current);
                    })
                    .onSuccess(result -> {
                        if (result instanceof UpdateResult.Written) {
                            writes.incrementAndGet();
                        }
                    });
        }
    }
}
