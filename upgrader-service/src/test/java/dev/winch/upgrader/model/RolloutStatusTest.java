package dev.winch.upgrader.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.WorkloadRef;
import dev.winch.upgrader.model.RolloutObservation.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutStatusTest {

    private static final long WRITTEN = 7;

    private static RolloutObservation deployment(long generation, long observed, int desired, int updated,
            int available, int total, Condition... conditions) {
        return new RolloutObservation("deployment", generation, observed, "RollingUpdate", desired, updated,
                available, available, total, null, null, 0, List.of(conditions));
    }

    @Test
    void aDeploymentIsInProgressUntilTheControllerObservesTheNewGeneration() {
        assertThat(RolloutStatus.evaluate(deployment(7, 6, 2, 2, 2, 2), WRITTEN))
                .isEqualTo(new RolloutStatus.InProgress("waiting for the controller to observe generation 7"));
    }

    @Test
    void aDeploymentCompletesWhenEveryReplicaIsUpdatedAvailableAndNoOldOneIsLeft() {
        assertThat(RolloutStatus.evaluate(deployment(7, 7, 3, 2, 2, 3), WRITTEN))
                .isEqualTo(new RolloutStatus.InProgress("2 of 3 replicas updated"));
        assertThat(RolloutStatus.evaluate(deployment(7, 7, 3, 3, 3, 4), WRITTEN))
                .isEqualTo(new RolloutStatus.InProgress("1 old replicas pending termination"));
        assertThat(RolloutStatus.evaluate(deployment(7, 7, 3, 3, 2, 3), WRITTEN))
                .isEqualTo(new RolloutStatus.InProgress("2 of 3 updated replicas available"));
        assertThat(RolloutStatus.evaluate(deployment(7, 7, 3, 3, 3, 3), WRITTEN))
                .isEqualTo(new RolloutStatus.Complete("3 of 3 replicas updated and available"));
    }

    @Test
    void aDeploymentPastItsProgressDeadlineHasFailed() {
        Condition deadline = new Condition("Progressing", "False", "ProgressDeadlineExceeded",
                "ReplicaSet \"web-5d4f\" has timed out progressing.");

        assertThat(RolloutStatus.evaluate(deployment(7, 7, 3, 1, 0, 4, deadline), WRITTEN))
                .isEqualTo(new RolloutStatus.Failed(
                        "ProgressDeadlineExceeded: ReplicaSet \"web-5d4f\" has timed out progressing."));
    }

    @Test
    void aNewerGenerationSupersedesTheRollout() {
        assertThat(RolloutStatus.evaluate(deployment(8, 8, 3, 3, 3, 3), WRITTEN))
                .isInstanceOf(RolloutStatus.Superseded.class);
    }

    @Test
    void aStatefulSetCompletesWhenEveryPodIsReadyAtTheUpdateRevision() {
        RolloutObservation rolling = new RolloutObservation("statefulset", 7, 7, "RollingUpdate", 3, 1, 3, 3, 3,
                "web-1", "web-2", 0, List.of());
        RolloutObservation done = new RolloutObservation("statefulset", 7, 7, "RollingUpdate", 3, 3, 3, 3, 3,
                "web-2", "web-2", 0, List.of());
        RolloutObservation partitioned = new RolloutObservation("statefulset", 7, 7, "RollingUpdate", 3, 1, 3, 3, 3,
                "web-1", "web-2", 2, List.of());

        assertThat(RolloutStatus.evaluate(rolling, WRITTEN)).isInstanceOf(RolloutStatus.InProgress.class);
        assertThat(RolloutStatus.evaluate(done, WRITTEN)).isInstanceOf(RolloutStatus.Complete.class);
        assertThat(RolloutStatus.evaluate(partitioned, WRITTEN)).isInstanceOf(RolloutStatus.Complete.class);
    }

    @Test
    void aDaemonSetCompletesWhenEveryScheduledPodIsUpdatedAndAvailable() {
        RolloutObservation rolling = new RolloutObservation("daemonset", 7, 7, "RollingUpdate", 3, 3, 3, 2, 3,
                null, null, 0, List.of());
        RolloutObservation done = new RolloutObservation("daemonset", 7, 7, "RollingUpdate", 3, 3, 3, 3, 3,
                null, null, 0, List.of());

        assertThat(RolloutStatus.evaluate(rolling, WRITTEN))
                .isEqualTo(new RolloutStatus.InProgress("2 of 3 updated pods available"));
        assertThat(RolloutStatus.evaluate(done, WRITTEN)).isInstanceOf(RolloutStatus.Complete.class);
    }

    @Test
    void anOnDeleteStrategyHasNoRolloutToFollow() {
        RolloutObservation onDelete = new RolloutObservation("daemonset", 7, 7, "OnDelete", 3, 0, 3, 3, 3, null,
                null, 0, List.of());

        assertThat(RolloutStatus.evaluate(onDelete, WRITTEN)).isInstanceOf(RolloutStatus.Untrackable.class);
    }

    @Test
    void aRolloutStillInProgressAtItsDeadlineHasFailed() {
        Instant start = Instant.parse("2025-01-01T00:00:00Z");
        Rollout rollout = new Rollout("e1", "dev.winch.image.pushed", "r", new WorkloadRef("demo", "deployment",
                "web"), WRITTEN, List.of(), false, start, start.plus(Duration.ofSeconds(90)), false);
        RolloutObservation stuck = deployment(7, 7, 3, 1, 1, 3);

        assertThat(rollout.status(stuck, start.plusSeconds(89))).isInstanceOf(RolloutStatus.InProgress.class);
        assertThat(rollout.status(stuck, start.plusSeconds(90))).isEqualTo(new RolloutStatus.Failed(
                "it did not complete within 90s (1 of 3 replicas updated)"));
        assertThat(rollout.status(deployment(7, 7, 3, 3, 3, 3), start.plusSeconds(95)))
                .isInstanceOf(RolloutStatus.Complete.class);
    }
}
