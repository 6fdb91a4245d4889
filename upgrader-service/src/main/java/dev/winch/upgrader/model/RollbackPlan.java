package dev.winch.upgrader.model;

import java.util.List;

/** What a rollback of a failed rollout does to the workload as it is now. */
public sealed interface RollbackPlan {

    /**
     * Set these containers back to their {@link ContainerChange#oldImage()} on the object as read, leaving every
     * other field (the replica count someone set meanwhile among them) as it is.
     */
    record Restore(List<ContainerChange> containers) implements RollbackPlan {

        public Restore {
            containers = List.copyOf(containers);
            if (containers.isEmpty()) {
                throw new IllegalArgumentException("a rollback restores at least one container");
            }
        }

        /** {@code container=image, ...} as it will be. */
        public String describe() {
            return String.join(", ", containers.stream().map(c -> c.container() + "=" + c.oldImage()).toList());
        }
    }

    /** Leave the workload alone; {@code reason} says why. */
    record Keep(String reason) implements RollbackPlan {
    }
}
