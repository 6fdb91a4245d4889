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
import dev.winch.upgrader.kubernetes.WorkloadOperations;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategyBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Following rollouts to their end. The mock server runs no controllers, so each test plays the controller: it writes
 * the workload's status (observedGeneration, replica counts, conditions) and moves the clock.
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

    private long generation(WorkloadRef ref) {
        return WorkloadOperations.generation(harness.get(ref));
    }

    /** Plays the Deployment controller: the status it would write for the current generation. */
    private void deploymentStatus(int updated, int available, int total, String progressingReason) {
        Deployment d = (Deployment) harness.get(WEB);
        DeploymentStatusBuilder status = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
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
        assertThat(applied.details()).containsEntry("stage", "apply");

        assertThat(harness.poll()).as("the controller has not seen the change yet").isEmpty();
        harness.clock.advance(Duration.ofSeconds(20));
        deploymentStatus(1, 1, 4, null);
        assertThat(harness.poll()).as("one of three replicas updated").isEmpty();
        harness.clock.advance(Duration.ofSeconds(22));
        deploymentStatus(3, 3, 3, null);

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
        deploymentStatus(1, 0, 4, "ProgressDeadlineExceeded");

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
        deploymentStatus(1, 0, 4, "ProgressDeadlineExceeded");

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
        deploymentStatus(1, 1, 4, null);
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
        deploymentStatus(0, 0, 3, "ProgressDeadlineExceeded");

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
        harness.clock.advance(Duration.ofSeconds(120));

        ActionResult superseded = only(harness.poll());

        assertThat(superseded.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(superseded.reason()).startsWith("rollout of rollouts/deployment/web was superseded: its spec "
                + "changed again after the upgrade");
        assertThat(harness.images(WEB)).containsEntry("web", "team/web:hotfix");
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
        StatefulSet set = (StatefulSet) harness.get(db);
        set.setStatus(new StatefulSetStatusBuilder().withObservedGeneration(generation(db)).withReplicas(3)
                .withReadyReplicas(3).withUpdatedReplicas(1).withCurrentRevision("db-1").withUpdateRevision("db-2")
                .build());
        harness.client().resource(set).updateStatus();
        assertThat(harness.poll()).isEmpty();

        set = (StatefulSet) harness.get(db);
        set.getStatus().setUpdatedReplicas(3);
        set.getStatus().setCurrentRevision("db-2");
        harness.client().resource(set).updateStatus();
        ActionResult done = only(harness.poll());

        assertThat(done.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(done.reason()).endsWith("3 of 3 pods updated and ready");
    }

    @Test
    void aDaemonSetRolloutCompletesWhenEveryScheduledPodIsUpdatedAndAvailable() {
        WorkloadRef agent = ref(NS, "daemonset", "agent");
        harness.daemonSet(NS, "agent", Map.of(), container("web", "team/web:1"));
        harness.handle(push(agent, "2", null, null));
        DaemonSet set = (DaemonSet) harness.get(agent);
        set.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(generation(agent))
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
        DaemonSet set = (DaemonSet) harness.get(agent);
        set.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(generation(agent))
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
