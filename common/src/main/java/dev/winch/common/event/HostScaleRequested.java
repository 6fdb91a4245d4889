package dev.winch.common.event;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Grow a labelled group of hosts by cloning its oldest member, or shrink it in state-priority order.
 *
 * @param hostSelector the labels that make the group
 * @param deleteOption which hosts go first on the way down among equals: {@code mostRecent} or {@code leastRecent}
 */
public record HostScaleRequested(
        String receiverId,
        Map<String, String> hostSelector,
        ScaleAction action,
        int amount,
        int min,
        int max,
        String deleteOption) implements WinchEvent {

    public HostScaleRequested {
        Objects.requireNonNull(action, "action");
        hostSelector = hostSelector == null ? Map.of() : Map.copyOf(hostSelector);
    }

    /** The selector in a canonical form ({@code k1=v1,k2=v2}, sorted): one group, one partition. */
    @Override
    public String partitionKey() {
        return new TreeMap<>(hostSelector).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
