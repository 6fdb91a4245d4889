package dev.winch.upgrader.model;

import dev.winch.common.event.WorkloadRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A rollout an upgrade started and the upgrader follows until it completes, fails, times out or is superseded.
 *
 * @param eventId           the push that started it
 * @param causeType         the CloudEvent type of that push
 * @param receiverId        the receiver that accepted the push
 * @param workload          the workload rolling out
 * @param generation        the generation the upgrade's write produced; a higher one means a newer change
 * @param changes           the containers changed, with their previous images (what a rollback sets again)
 * @param restart           a restart of the same image: there is no previous image to return to
 * @param startedAt         when the write was accepted
 * @param deadline          when the rollout counts as failed if it has not completed
 * @param rollbackOnFailure set the previous images again on failure
 */
public record Rollout(String eventId, String causeType, String receiverId, WorkloadRef workload, long generation,
        List<ContainerChange> changes, boolean restart, Instant startedAt, Instant deadline,
        boolean rollbackOnFailure) {

    public Rollout {
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
        RolloutStatus status = RolloutStatus.evaluate(observation, generation);
        if (status instanceof RolloutStatus.InProgress progress && !now.isBefore(deadline)) {
            return new RolloutStatus.Failed("it did not complete within " + timeout().toSeconds() + "s ("
                    + progress.progress() + ")");
        }
        return status;
    }
}
