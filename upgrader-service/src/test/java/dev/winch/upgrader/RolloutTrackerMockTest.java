package dev.winch.upgrader;

import static dev.winch.upgrader.Harness.container;
import static dev.winch.upgrader.Harness.only;
import static dev.winch.upgrader.Harness.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.ImagePushed.UpgradeTarget;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.WorkloadRef;
import dev.winch.upgrader.kubernetes.WorkloadObjects;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Following rollouts to their end. The mock server runs no controllers, so each test plays the controller: it writes
 * the workload's status (observedGeneration, replica counts, conditions) as a real controller would, lagging where
 * a real one lags, and moves the clock.
 *
 * <p>{@code metadata.generation} cannot be set by a client, on the mock server as on a real one: the mock keeps its
 * own and adds one on each write that changes anything outside metadata and status, which is what a real API
 * server does for these workloads ({@code spec.replicas} included). Each test checks the generation a real server
 * would show after each write ({@link #assertGeneration}), so a mock that stopped doing so fails here first.
 */
class RolloutTrackerMockTest {

    private static final String NS = "rollouts";
    private static final WorkloadRef WEB = ref(NS, "deployment", "web");

    private Harness harness;

    @BeforeEach
    void start() {
        harness = new Harness();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static ImagePushed push(WorkloadRef workload, String tag, Integer timeoutSeconds, Boolean rollback) {
        return new ImagePushed("demo-web", "team/web", tag, null, null, "dockerhub",
                new UpgradeTarget(workload, "web", Map.of(), List.of(), null, null, null, null, null, null,
                        timeoutSeconds, rollback));
    }

    /** The generation a real API server shows after the writes so far. */
    private void assertGeneration(WorkloadRef ref, long expected) {
        assertThat(WorkloadObjects.generation(harness.get(ref))).as("metadata.generation of %s", ref.key())
                .isEqualTo(expected);
    }

    /** {@code kubectl scale}, or an HPA: the scale subresource, a spec change that leaves the pod template alone. */
    private void scale(WorkloadRef ref, int replicas) {
        if (ref.kind().equals("deployment")) {
            harness.client().apps().deployments().inNamespace(NS).withName(ref.name()).scale(replicas);
        } else {
            harness.client().apps().statefulSets().inNamespace(NS).withName(ref.name()).scale(replicas);
        }
    }

    private int replicas(WorkloadRef ref) {
        return ((Deployment) harness.get(ref)).getSpec().getReplicas();
    }

    /** Plays the Deployment controller: the status it writes once it has acted on {@code observedGeneration}. */
    private void deploymentStatus(long observedGeneration, int updated, int available, int total,
            String progressingReason) {
        Deployment d = (Deployment) harness.get(WEB);
        DeploymentStatusBuilder status = new DeploymentStatusBuilder()
                .withObservedGeneration(observedGeneration)
                .withReplicas(total).withUpdatedReplicas(updated).withReadyReplicas(available)
                .withAvailableReplicas(available);
        if (progressingReason != null) {
            status.addToConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
                    .withReason(progressingReason)
                    .withMessage("ReplicaSet \"web-7c9f\" has timed out progressing.").build());
        }
        d.setStatus(status.build());
        harness.client().resource(d).updateStatus();
    }

    @Test
    void aDeploymentRolloutIsReportedCompleteWithItsDurationOnceEveryReplicaIsUpdatedAndAvailable() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        ActionResult applied = only(harness.handle(push(WEB, "2", null, null)));
        assertThat(applied.details()).containsEntry("stage", "apply").containsEntry("generation", "2");
        assertGeneration(WEB, 2);

        assertThat(harness.poll()).as("the controller has not seen the change yet").isEmpty();
        harness.clock.advance(Duration.ofSeconds(20));
        deploymentStatus(2, 1, 1, 4, null);
        assertThat(harness.poll()).as("one of three replicas updated").isEmpty();
        harness.clock.advance(Duration.ofSeconds(22));
        deploymentStatus(2, 3, 3, 3, null);

        ActionResult done = only(harness.poll());

        assertThat(done.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.causeId()).isEqualTo(applied.causeId());
        assertThat(done.target()).isEqualTo(NS + "/deployment/web");
        assertThat(done.reason()).isEqualTo("rollout of rollouts/deployment/web completed in 42s: "
                + "3 of 3 replicas updated and available");
        assertThat(done.details()).containsEntry("stage", "rollout").containsEntry("durationSeconds", "42")
                .containsEntry("oldImage", "team/web:1").containsEntry("newImage", "team/web:2");
        assertThat(Duration.between(done.startedAt(), done.finishedAt())).isEqualTo(Duration.ofSeconds(42));
        assertThat(harness.tracker.size()).isZero();
        assertThat(harness.poll()).isEmpty();
    }

    @Test
    void aDeploymentPastItsProgressDeadlineIsReportedFailedAndKeepsItsNewImage() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, null));
        deploymentStatus(2, 1, 0, 4, "ProgressDeadlineExceeded");

        ActionResult failed = only(harness.poll());

        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.reason()).isEqualTo("rollout of rollouts/deployment/web failed: ProgressDeadlineExceeded: "
                + "ReplicaSet \"web-7c9f\" has timed out progressing.");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:2");
    }

    @Test
    void aFailedRolloutIsRolledBackToThePreviousImageWhenTheReceiverAsksForIt() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, true));
        deploymentStatus(2, 1, 0, 4, "ProgressDeadlineExceeded");

        ActionResult failed = only(harness.poll());

        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.reason()).endsWith("; rolled back to web=team/web:1");
        assertThat(failed.details()).containsEntry("rolledBack", "true");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:1");
    }

    @Test
    void aRolloutThatOutlivesTheReceiversTimeoutFails() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", 60, true));
        deploymentStatus(2, 1, 1, 4, null);
        harness.clock.advance(Duration.ofSeconds(59));
        assertThat(harness.poll()).isEmpty();

        harness.clock.advance(Duration.ofSeconds(1));
        ActionResult failed = only(harness.poll());

        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.reason()).isEqualTo("rollout of rollouts/deployment/web failed: it did not complete "
                + "within 60s (1 of 3 replicas updated); rolled back to web=team/web:1");
        assertThat(failed.details()).containsEntry("durationSeconds", "60");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:1");
    }

    @Test
    void aFailedRestartHasNoPreviousImageToRollBackTo() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:latest"));
        harness.handle(push(WEB, "latest", null, true));
        deploymentStatus(2, 0, 0, 3, "ProgressDeadlineExceeded");

        ActionResult failed = only(harness.poll());

        assertThat(failed.reason()).endsWith("not rolled back: it was a restart of the same image, so there is no "
                + "previous image to return to");
        assertThat(failed.details()).containsEntry("rolledBack", "false").containsEntry("restart", "true");
    }

    @Test
    void aRolloutChangedAgainBySomeoneElseIsSupersededAndNotRolledBack() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", 60, true));
        Deployment edited = (Deployment) harness.get(WEB);
        edited.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("team/web:hotfix");
        harness.client().resource(edited).update();
        assertGeneration(WEB, 3);
        harness.clock.advance(Duration.ofSeconds(120));

        ActionResult superseded = only(harness.poll());

        assertThat(superseded.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(superseded.reason()).isEqualTo("rollout of rollouts/deployment/web was superseded: its pod "
                + "template changed after the upgrade: container web runs team/web:hotfix instead of team/web:2");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:hotfix");
    }

    @Test
    void aTemplateChangedBySomeoneElseThatThenFailsIsTheirsAndIsNotRolledBack() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, true));
        Deployment edited = (Deployment) harness.get(WEB);
        edited.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("team/web:hotfix");
        harness.client().resource(edited).update();
        assertGeneration(WEB, 3);
        deploymentStatus(3, 1, 0, 4, "ProgressDeadlineExceeded");

        ActionResult superseded = only(harness.poll());

        assertThat(superseded.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(superseded.details()).doesNotContainKey("rolledBack");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:hotfix");
        assertGeneration(WEB, 3);
    }

    @Test
    void aTemplateChangedOutsideTheImagesSupersedesTheRollout() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, true));
        // kubectl set env deployment/web LOG_LEVEL=debug
        Deployment edited = (Deployment) harness.get(WEB);
        edited.getSpec().getTemplate().getSpec().getContainers().get(0)
                .setEnv(List.of(new EnvVar("LOG_LEVEL", "debug", null)));
        harness.client().resource(edited).update();
        assertGeneration(WEB, 3);

        ActionResult superseded = only(harness.poll());

        assertThat(superseded.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(superseded.reason()).isEqualTo("rollout of rollouts/deployment/web was superseded: its pod "
                + "template changed after the upgrade: fields other than the images changed");
    }

    @Test
    void aScaleDuringARolloutIsStillFollowedToCompleteAgainstTheNewReplicaCount() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, null));
        assertGeneration(WEB, 2);
        deploymentStatus(2, 1, 1, 4, null);
        assertThat(harness.poll()).isEmpty();

        scale(WEB, 5);
        assertGeneration(WEB, 3);
        assertThat(harness.poll()).as("the controller has not observed generation 3: its status is of 2").isEmpty();
        deploymentStatus(3, 3, 3, 5, null);
        assertThat(harness.poll()).as("3 of 5 replicas updated").isEmpty();
        harness.clock.advance(Duration.ofSeconds(30));
        deploymentStatus(3, 5, 5, 5, null);

        ActionResult done = only(harness.poll());

        assertThat(done.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.reason()).isEqualTo("rollout of rollouts/deployment/web completed in 30s: "
                + "5 of 5 replicas updated and available");
        assertThat(done.details()).containsEntry("generation", "2");
        assertThat(harness.tracker.size()).isZero();
    }

    @Test
    void aScaleDuringARolloutThatThenFailsIsRolledBackAndKeepsTheNewReplicaCount() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, true));
        scale(WEB, 5);
        assertGeneration(WEB, 3);
        deploymentStatus(3, 2, 0, 6, "ProgressDeadlineExceeded");

        ActionResult failed = only(harness.poll());

        assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(failed.reason()).isEqualTo("rollout of rollouts/deployment/web failed: ProgressDeadlineExceeded: "
                + "ReplicaSet \"web-7c9f\" has timed out progressing.; rolled back to web=team/web:1");
        assertThat(failed.details()).containsEntry("rolledBack", "true");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:1");
        assertThat(replicas(WEB)).isEqualTo(5);
        assertGeneration(WEB, 4);
    }

    @Test
    void aRollbackThatRacesAReplicaChangeIsWrittenAgainOnTheCurrentObject() {
        AtomicBoolean scaleBeforeNextWrite = new AtomicBoolean();
        harness.close();
        harness = new Harness(100, new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                // an HPA writing between the rollback's read and its write: that write carries a stale resourceVersion
                if ("PUT".equals(request.method()) && request.uri().getPath().endsWith("/deployments/web")
                        && scaleBeforeNextWrite.compareAndSet(true, false)) {
                    scale(WEB, 7);
                }
            }
        });
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, true));
        deploymentStatus(2, 1, 0, 4, "ProgressDeadlineExceeded");
        scaleBeforeNextWrite.set(true);

        ActionResult failed = only(harness.poll());

        assertThat(scaleBeforeNextWrite).as("the replica change landed before the rollback's first write").isFalse();
        assertThat(failed.reason()).endsWith("; rolled back to web=team/web:1");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:1");
        assertThat(replicas(WEB)).isEqualTo(7);
        assertGeneration(WEB, 4);
    }

    @Test
    void aNewerPushOfTheSameWorkloadSupersedesTheRolloutItFollows() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        ActionResult first = only(harness.handle(push(WEB, "2", null, null)));

        List<ActionResult> second = harness.handle(push(WEB, "3", null, null));

        assertThat(second).hasSize(2);
        assertThat(second.get(0).outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(second.get(1).causeId()).isEqualTo(first.causeId());
        assertThat(second.get(1).outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(second.get(1).details()).containsEntry("stage", "rollout")
                .containsEntry("supersededBy", second.get(0).causeId());
        assertThat(harness.tracker.followed()).extracting(r -> r.eventId()).containsExactly(second.get(0).causeId());
    }

    @Test
    void aStatefulSetRolloutCompletesWhenEveryPodIsReadyAtTheNewRevision() {
        WorkloadRef db = ref(NS, "statefulset", "db");
        harness.statefulSet(NS, "db", Map.of(), container("web", "team/web:1"));
        harness.handle(push(db, "2", null, null));
        assertGeneration(db, 2);
        statefulSetStatus(db, 2, 3, 1, "db-1");
        assertThat(harness.poll()).isEmpty();

        statefulSetStatus(db, 2, 3, 3, "db-2");
        ActionResult done = only(harness.poll());

        assertThat(done.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.reason()).endsWith("3 of 3 pods updated and ready");
    }

    @Test
    void aStatefulSetScaledDuringItsRolloutIsFollowedToCompleteAgainstTheNewReplicaCount() {
        WorkloadRef db = ref(NS, "statefulset", "db");
        harness.statefulSet(NS, "db", Map.of(), container("web", "team/web:1"));
        harness.handle(push(db, "2", null, null));
        statefulSetStatus(db, 2, 3, 1, "db-1");
        scale(db, 4);
        assertGeneration(db, 3);
        assertThat(harness.poll()).as("status of generation 2 while the spec is at 3").isEmpty();
        statefulSetStatus(db, 3, 3, 3, "db-1");
        assertThat(harness.poll()).as("3 of 4 pods ready").isEmpty();

        statefulSetStatus(db, 3, 4, 4, "db-2");
        ActionResult done = only(harness.poll());

        assertThat(done.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.reason()).endsWith("4 of 4 pods updated and ready");
    }

    /** Plays the StatefulSet controller, rolling revision db-2 out over db-1. */
    private void statefulSetStatus(WorkloadRef ref, long observedGeneration, int ready, int updated,
            String currentRevision) {
        StatefulSet set = (StatefulSet) harness.get(ref);
        set.setStatus(new StatefulSetStatusBuilder().withObservedGeneration(observedGeneration)
                .withReplicas(Math.max(ready, updated)).withReadyReplicas(ready).withUpdatedReplicas(updated)
                .withCurrentRevision(currentRevision).withUpdateRevision("db-2").build());
        harness.client().resource(set).updateStatus();
    }

    @Test
    void aDaemonSetRolloutCompletesWhenEveryScheduledPodIsUpdatedAndAvailable() {
        WorkloadRef agent = ref(NS, "daemonset", "agent");
        harness.daemonSet(NS, "agent", Map.of(), container("web", "team/web:1"));
        harness.handle(push(agent, "2", null, null));
        assertGeneration(agent, 2);
        DaemonSet set = (DaemonSet) harness.get(agent);
        set.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(2L)
                .withDesiredNumberScheduled(3).withCurrentNumberScheduled(3).withUpdatedNumberScheduled(3)
                .withNumberReady(3).withNumberAvailable(3).withNumberMisscheduled(0).build());
        harness.client().resource(set).updateStatus();

        ActionResult done = only(harness.poll());

        assertThat(done.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.reason()).endsWith("3 of 3 scheduled pods updated and available");
    }

    @Test
    void aDaemonSetThatUpdatesOnDeleteHasNoRolloutToFollow() {
        WorkloadRef agent = ref(NS, "daemonset", "agent");
        DaemonSet created = harness.daemonSet(NS, "agent", Map.of(), container("web", "team/web:1"));
        created.getSpec().setUpdateStrategy(new DaemonSetUpdateStrategyBuilder().withType("OnDelete").build());
        harness.client().resource(created).update();
        harness.handle(push(agent, "2", null, null));
        assertGeneration(agent, 3);
        DaemonSet set = (DaemonSet) harness.get(agent);
        set.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(3L)
                .withDesiredNumberScheduled(3).withNumberMisscheduled(0).withCurrentNumberScheduled(3)
                .withNumberReady(3).build());
        harness.client().resource(set).updateStatus();

        ActionResult result = only(harness.poll());

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.reason()).isEqualTo("rollout of rollouts/daemonset/agent cannot be followed: its update "
                + "strategy is OnDelete: pods take the new template only when they are deleted");
    }

    @Test
    void aWorkloadDeletedDuringItsRolloutIsNoLongerFollowed() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, null));
        harness.client().apps().deployments().inNamespace(NS).withName("web").delete();

        ActionResult result = only(harness.poll());

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.reason()).isEqualTo("rollouts/deployment/web was deleted during its rollout; it is no "
                + "longer followed");
    }

    @Test
    void onShutdownEveryRolloutStillFollowedIsReportedAsNoLongerFollowed() {
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, null));

        ActionResult result = only(harness.closeTracker());

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.reason()).startsWith("tracking of the rollout of rollouts/deployment/web stopped: the "
                + "upgrader shut down");
        assertThat(harness.tracker.size()).isZero();
    }

    @Test
    void beyondTheLimitARolloutIsAppliedButNotFollowedAndTheResultSaysSo() {
        harness.close();
        harness = new Harness(1);
        harness.deployment(NS, "web", Map.of(), container("web", "team/web:1"));
        harness.deployment(NS, "api", Map.of(), container("web", "team/web:1"));
        harness.handle(push(WEB, "2", null, null));

        List<ActionResult> results = harness.handle(push(ref(NS, "deployment", "api"), "2", null, null));

        assertThat(results).extracting(ActionResult::outcome).containsExactly(Outcome.APPLIED, Outcome.SKIPPED);
        assertThat(results.get(1).reason()).isEqualTo("rollout of rollouts/deployment/api is not followed: 1 "
                + "rollouts are followed already (WINCH_UPGRADER_MAX_TRACKED_ROLLOUTS)");
        assertThat(harness.images(ref(NS, "deployment", "api"))).containsEntry("web", "team/web:2");
    }
}
