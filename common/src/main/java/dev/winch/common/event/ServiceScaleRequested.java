package dev.winch.common.event;

import java.util.Objects;

/**
 * Scale a workload up or down by {@code amount}, never past {@code max} nor below {@code min}.
 *
 * @param cooldownSeconds no second scale of the same target within this many seconds (0: none)
 */
public record ServiceScaleRequested(
        String receiverId,
        WorkloadRef target,
        ScaleAction action,
        int amount,
        int min,
        int max,
        int cooldownSeconds) implements WinchEvent {

    public ServiceScaleRequested {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(action, "action");
    }

    @Override
    public String partitionKey() {
        return target.key();
    }
}
