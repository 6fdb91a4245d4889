package dev.winch.upgrader.model;

import dev.winch.common.event.WorkloadRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A rollout an upgrade started and the upgrader follows until it completes, fails, times out or is superseded.
 *
 * @param eventId           the push that started it
 * @param causeType         the CloudEvent type of that push
 * @param receiverId        the receiver that accepted the push
 * @param workload          the workload rolling out
 * @param generation        the generation the upgrade's write produced; a higher one does not mean a newer rollout
 *                          (a replica count changed since bumps it too), a lower one means the object was replaced
 * @param template          the pod template the upgrade's write produced: while the workload has it, the rollout is
 *                          the upgrade's
 * @param changes           the containers changed, with their previous images (what a rollback sets again)
 * @param restart           a restart of the same image: there is no previous image to return to
 * @param startedAt         when the write was accepted
 * @param deadline          when the rollout counts as failed if it has not completed
 * @param rollbackOnFailure set the previous images again on failure
 */
public record Rollout(String eventId, String causeType, String receiverId, WorkloadRef workload, long generation,
        PodTemplateFingerprint template, List<ContainerChange> changes, boolean restart, Instant startedAt,
        Instant deadline, boolean rollbackOnFailure) {

    public Rollout {
        Objects.requireNonNull(template, "template");
        changes = List.copyOf(changes);
    }

    public Duration timeout() {
        return Duration.between(startedAt, deadline);
    }

    /**
     * Where the rollout stands: the controller's verdict, or a failure once the deadline has passed without one.
     *
     * @param observation the workload's status now
     * @param now         the current time
     */
    public RolloutStatus status(RolloutObservation observation, Instant now) {
        RolloutStatus status = RolloutStatus.evaluate(observation, generation, template);
        if (status instanceof RolloutStatus.InProgress progress && !now.isBefore(deadline)) {
            return new RolloutStatus.Failed("it did not complete within " + timeout().toSeconds() + "s ("
                    + progress.progress() + ")");
        }
        return status;
    }

    /**
     * What a rollback after a failure does, given the workload's pod template now: set the upgrade's containers back
     * to their previous images, but only while the template is still the one the upgrade wrote. A template someone
     * else changed since is theirs: rolling it back would undo their change too.
     *
     * @param current the workload's pod template as just read
     */
    public RollbackPlan rollback(PodTemplateFingerprint current) {
        if (restart) {
            return new RollbackPlan.Keep("it was a restart of the same image, so there is no previous image to "
                    + "return to");
        }
        if (!current.sameTemplate(template)) {
            return new RollbackPlan.Keep("its pod template changed since the upgrade ("
                    + current.changesSince(template) + "), so the rollout is no longer the upgrade's alone");
        }
        List<ContainerChange> restore = changes.stream()
                .filter(c -> c.newImage().equals(current.images().get(c.container())))
                .toList();
        if (restore.isEmpty()) {
            return new RollbackPlan.Keep("no container runs the upgrade's image any more");
        }
        return new RollbackPlan.Restore(restore);
    }
}
