package dev.winch.upgrader.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.WorkloadRef;
import dev.winch.upgrader.model.RolloutObservation.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutStatusTest {

    private static final long WRITTEN = 7;
    private static final PodTemplateFingerprint TEMPLATE = new PodTemplateFingerprint("d-written",
            Map.of("web", "team/web:2"), null);

    private static RolloutObservation deployment(long generation, long observed, int desired, int updated,
            int available, int total, Condition... conditions) {
        return new RolloutObservation("deployment", generation, observed, TEMPLATE, "RollingUpdate", desired,
                updated, available, available, total, null, null, 0, List.of(conditions));
    }

    private static RolloutObservation statefulSet(int updated, String current, String update, int partition) {
        return new RolloutObservation("statefulset", 7, 7, TEMPLATE, "RollingUpdate", 3, updated, 3, 3, 3, current,
                update, partition, List.of());
    }

    private static RolloutObservation daemonSet(String strategy, int updated, int available) {
        return new RolloutObservation("daemonset", 7, 7, TEMPLATE, strategy, 3, updated, 3, available, 3, null, null,
                0, List.of());
    }

    private static RolloutStatus evaluate(RolloutObservation observation) {
        return RolloutStatus.evaluate(observation, WRITTEN, TEMPLATE);
    }

    @Test
    void aDeploymentIsInProgressUntilTheControllerObservesTheNewGeneration() {
        assertThat(evaluate(deployment(7, 6, 2, 2, 2, 2))).isEqualTo(new RolloutStatus.InProgress(
                "waiting for the controller to observe generation 7 (its status is of generation 6)"));
    }

    @Test
    void aDeploymentCompletesWhenEveryReplicaIsUpdatedAvailableAndNoOldOneIsLeft() {
        assertThat(evaluate(deployment(7, 7, 3, 2, 2, 3)))
                .isEqualTo(new RolloutStatus.InProgress("2 of 3 replicas updated"));
        assertThat(evaluate(deployment(7, 7, 3, 3, 3, 4)))
                .isEqualTo(new RolloutStatus.InProgress("1 old replicas pending termination"));
        assertThat(evaluate(deployment(7, 7, 3, 3, 2, 3)))
                .isEqualTo(new RolloutStatus.InProgress("2 of 3 updated replicas available"));
        assertThat(evaluate(deployment(7, 7, 3, 3, 3, 3)))
                .isEqualTo(new RolloutStatus.Complete("3 of 3 replicas updated and available"));
    }

    @Test
    void aDeploymentPastItsProgressDeadlineHasFailed() {
        Condition deadline = new Condition("Progressing", "False", "ProgressDeadlineExceeded",
                "ReplicaSet \"web-5d4f\" has timed out progressing.");

        assertThat(evaluate(deployment(7, 7, 3, 1, 0, 4, deadline))).isEqualTo(new RolloutStatus.Failed(
                "ProgressDeadlineExceeded: ReplicaSet \"web-5d4f\" has timed out progressing."));
    }

    @Test
    void aNewerGenerationWithTheSameTemplateIsStillTheUpgradesRollout() {
        assertThat(evaluate(deployment(8, 8, 3, 3, 3, 3)))
                .isEqualTo(new RolloutStatus.Complete("3 of 3 replicas updated and available"));
    }

    @Test
    void aDifferentTemplateSupersedesTheRolloutWhateverItsStatusSays() {
        PodTemplateFingerprint hotfix = new PodTemplateFingerprint("d-hotfix", Map.of("web", "team/web:hotfix"),
                null);
        RolloutObservation changed = new RolloutObservation("deployment", 8, 8, hotfix, "RollingUpdate", 3, 3, 3, 3,
                3, null, null, 0, List.of());

        assertThat(evaluate(changed)).isEqualTo(new RolloutStatus.Superseded("its pod template changed after the "
                + "upgrade: container web runs team/web:hotfix instead of team/web:2"));
    }

    @Test
    void aLowerGenerationIsAnotherObjectUnderTheSameName() {
        assertThat(evaluate(deployment(1, 1, 3, 3, 3, 3))).isEqualTo(new RolloutStatus.Superseded(
                "it was deleted and created again after the upgrade (generation 1, the upgrade wrote 7)"));
    }

    @Test
    void aStatefulSetCompletesWhenEveryPodIsReadyAtTheUpdateRevision() {
        assertThat(evaluate(statefulSet(1, "web-1", "web-2", 0))).isEqualTo(
                new RolloutStatus.InProgress("1 of 3 pods at revision web-2"));
        assertThat(evaluate(statefulSet(3, "web-2", "web-2", 0))).isEqualTo(
                new RolloutStatus.Complete("3 of 3 pods updated and ready"));
        assertThat(evaluate(statefulSet(1, "web-1", "web-2", 2))).isEqualTo(
                new RolloutStatus.Complete("1 pods above partition 2 updated"));
    }

    @Test
    void aDaemonSetCompletesWhenEveryScheduledPodIsUpdatedAndAvailable() {
        assertThat(evaluate(daemonSet("RollingUpdate", 3, 2)))
                .isEqualTo(new RolloutStatus.InProgress("2 of 3 updated pods available"));
        assertThat(evaluate(daemonSet("RollingUpdate", 3, 3)))
                .isEqualTo(new RolloutStatus.Complete("3 of 3 scheduled pods updated and available"));
    }

    @Test
    void anOnDeleteStrategyHasNoRolloutToFollow() {
        assertThat(evaluate(daemonSet("OnDelete", 0, 3))).isInstanceOf(RolloutStatus.Untrackable.class);
    }

    @Test
    void aRolloutStillInProgressAtItsDeadlineHasFailed() {
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        Rollout rollout = new Rollout("e1", "dev.winch.image.pushed", "r", new WorkloadRef("demo", "deployment",
                "web"), WRITTEN, TEMPLATE, List.of(), false, start, start.plus(Duration.ofSeconds(90)), false);
        RolloutObservation stuck = deployment(7, 7, 3, 1, 1, 3);

        assertThat(rollout.status(stuck, start.plusSeconds(89))).isInstanceOf(RolloutStatus.InProgress.class);
        assertThat(rollout.status(stuck, start.plusSeconds(90))).isEqualTo(new RolloutStatus.Failed(
                "it did not complete within 90s (1 of 3 replicas updated)"));
        assertThat(rollout.status(deployment(7, 7, 3, 3, 3, 3), start.plusSeconds(95)))
                .isInstanceOf(RolloutStatus.Complete.class);
    }
}
