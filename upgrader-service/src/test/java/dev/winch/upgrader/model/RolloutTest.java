package dev.winch.upgrader.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winch.common.event.WorkloadRef;
import dev.winch.upgrader.model.RolloutObservation.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rollout followed while others change the workload, as a real API server and controller report it: every spec
 * change bumps {@code metadata.generation} ({@code spec.replicas} too), and {@code status.observedGeneration} lags
 * until the controller has acted on it. The upgrade wrote generation 2 with {@code team/web:2}; the workload had 3
 * replicas.
 */
class RolloutTest {

    private static final Instant START = Instant.parse("2025-06-03T08:00:00Z");
    private static final ContainerChange WEB = new ContainerChange("web", "team/web:1", "team/web:2");
    private static final PodTemplateFingerprint WRITTEN = new PodTemplateFingerprint("sha-written",
            Map.of("web", "team/web:2"), null);
    private static final Condition DEADLINE_EXCEEDED = new Condition("Progressing", "False",
            "ProgressDeadlineExceeded", "ReplicaSet \"web-7c9f\" has timed out progressing.");

    private static Rollout rollout(boolean restart) {
        return new Rollout("event-1", "dev.winch.image.pushed", "demo-web", new WorkloadRef("demo", "deployment",
                "web"), 2, WRITTEN, List.of(WEB), restart, START, START.plus(Duration.ofMinutes(10)), true);
    }

    /** The Deployment as read: its generation, the status its controller wrote, and the replicas wanted now. */
    private static RolloutObservation deployment(long generation, long observed, PodTemplateFingerprint template,
            int replicas, int updated, int available, int total, Condition... conditions) {
        return new RolloutObservation("deployment", generation, observed, template, "RollingUpdate", replicas,
                updated, available, available, total, null, null, 0, List.of(conditions));
    }

    private static RolloutStatus at(long generation, long observed, int replicas, int updated, int available,
            int total, Condition... conditions) {
        return rollout(false).status(deployment(generation, observed, WRITTEN, replicas, updated, available, total,
                conditions), START.plusSeconds(30));
    }

    @Test
    void aReplicaCountChangedMidRolloutIsStillFollowedToCompleteAgainstTheNewCount() {
        assertThat(at(2, 2, 3, 1, 1, 4)).isEqualTo(new RolloutStatus.InProgress("1 of 3 replicas updated"));

        // kubectl scale --replicas=5: generation 3, the controller has not acted on it yet
        assertThat(at(3, 2, 5, 1, 1, 4)).isEqualTo(new RolloutStatus.InProgress(
                "waiting for the controller to observe generation 3 (its status is of generation 2)"));
        assertThat(at(3, 3, 5, 3, 3, 5)).isEqualTo(new RolloutStatus.InProgress("3 of 5 replicas updated"));
        assertThat(at(3, 3, 5, 5, 4, 5)).isEqualTo(new RolloutStatus.InProgress("4 of 5 updated replicas available"));
        assertThat(at(3, 3, 5, 5, 5, 5))
                .isEqualTo(new RolloutStatus.Complete("5 of 5 replicas updated and available"));
    }

    @Test
    void aStatusOfAnOlderGenerationDecidesNothingEvenWhenItReadsAsCompleteOrFailed() {
        // scaled from 4 to 3: the stale counts happen to match the new spec, the deadline is from before the scale
        RolloutStatus.InProgress waiting = new RolloutStatus.InProgress(
                "waiting for the controller to observe generation 3 (its status is of generation 2)");

        assertThat(at(3, 2, 3, 3, 3, 3)).isEqualTo(waiting);
        assertThat(at(3, 2, 3, 1, 0, 4, DEADLINE_EXCEEDED)).isEqualTo(waiting);
    }

    @Test
    void aReplicaCountChangedThenProgressDeadlineExceededFailsAndRestoresOnlyTheImages() {
        RolloutStatus status = at(3, 3, 5, 2, 0, 6, DEADLINE_EXCEEDED);

        assertThat(status).isEqualTo(new RolloutStatus.Failed(
                "ProgressDeadlineExceeded: ReplicaSet \"web-7c9f\" has timed out progressing."));
        RollbackPlan plan = rollout(false).rollback(WRITTEN);
        assertThat(plan).isEqualTo(new RollbackPlan.Restore(List.of(WEB)));
        assertThat(((RollbackPlan.Restore) plan).describe()).isEqualTo("web=team/web:1");
    }

    @Test
    void anImageChangedBySomeoneElseSupersedesTheRolloutAndIsNotRolledBack() {
        PodTemplateFingerprint hotfix = new PodTemplateFingerprint("sha-hotfix", Map.of("web", "team/web:hotfix"),
                null);

        RolloutStatus status = rollout(false).status(deployment(3, 3, hotfix, 3, 1, 0, 4, DEADLINE_EXCEEDED),
                START.plusSeconds(30));

        assertThat(status).isEqualTo(new RolloutStatus.Superseded(
                "its pod template changed after the upgrade: container web runs team/web:hotfix instead of "
                        + "team/web:2"));
        assertThat(rollout(false).rollback(hotfix)).isEqualTo(new RollbackPlan.Keep("its pod template changed "
                + "since the upgrade (container web runs team/web:hotfix instead of team/web:2), so the rollout is "
                + "no longer the upgrade's alone"));
    }

    @Test
    void aTemplateChangedOutsideTheImagesSupersedesTooAndIsNotRolledBack() {
        // e.g. kubectl set env: same images, another template
        PodTemplateFingerprint withEnv = new PodTemplateFingerprint("sha-env", Map.of("web", "team/web:2"), null);

        assertThat(rollout(false).status(deployment(3, 3, withEnv, 3, 3, 3, 3), START.plusSeconds(30)))
                .isEqualTo(new RolloutStatus.Superseded(
                        "its pod template changed after the upgrade: fields other than the images changed"));
        assertThat(rollout(false).rollback(withEnv)).isInstanceOf(RollbackPlan.Keep.class);
    }

    @Test
    void theReceiversTimeoutFailsARolloutWhoseControllerNeverCaughtUp() {
        RolloutObservation lagging = deployment(3, 2, WRITTEN, 5, 1, 1, 4);

        assertThat(rollout(false).status(lagging, START.plus(Duration.ofMinutes(10)))).isEqualTo(
                new RolloutStatus.Failed("it did not complete within 600s (waiting for the controller to observe "
                        + "generation 3 (its status is of generation 2))"));
    }

    @Test
    void aRestartHasNoPreviousImageToRestore() {
        assertThat(rollout(true).rollback(WRITTEN)).isEqualTo(new RollbackPlan.Keep(
                "it was a restart of the same image, so there is no previous image to return to"));
    }
}
