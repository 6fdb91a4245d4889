package dev.winch.host.model;

import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.kubernetes.KubernetesNames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one host scale request comes to on a group as read: clone a host, remove some, nothing, or refused. Pure: no
 * I/O, so it is tested on plain lists of hosts.
 *
 * <p>The group's size is its hosts that are not in Error, plus, on the way up, the machines a provider was already
 * asked for that have no Node yet ({@code pending}): a second request right after a first must not pass {@code max}
 * because the first one's machines are still booting.
 */
public sealed interface HostPlan {

    /** Clone {@code template} {@code to - from} times. */
    record Clone(Host template, int from, int to, boolean clamped) implements HostPlan {
        public Clone {
            Objects.requireNonNull(template, "template");
        }

        public int count() {
            return to - from;
        }
    }

    /** Remove {@code chosen}, in this order (the order of the scale-down rule). */
    record Remove(List<Host> chosen, int from, int to, boolean clamped) implements HostPlan {
        public Remove {
            chosen = List.copyOf(chosen);
        }
    }

    /** Already at the bound the request goes towards: nothing to do (a NOOP result). */
    record AtBound(int size, String reason) implements HostPlan {
    }

    /** The request cannot be carried out on this group (a FAILED result); nothing is changed. */
    record Refused(String reason, String failure) implements HostPlan {
    }

    /** Failure codes of {@link Refused}, for results ({@code details.failure}). */
    String INVALID = "invalid";
    String EMPTY_GROUP = "empty-group";
    String NOT_CLONEABLE = "not-cloneable";

    /**
     * Plans {@code request} on {@code group} (every Node carrying the selector's labels, in any order).
     *
     * @param pending machines asked for on the way up whose Nodes have not joined yet (counted in the size)
     */
    static HostPlan of(HostScaleRequested request, List<Host> group, int pending) {
        Optional<String> invalid = invalid(request);
        if (invalid.isPresent()) {
            return new Refused(invalid.get() + "; nothing was changed", INVALID);
        }
        String selector = request.partitionKey();
        if (group.isEmpty()) {
            return new Refused("no Node carries the labels " + selector + ", so the group is empty; nothing was "
                    + "changed", EMPTY_GROUP);
        }
        List<Host> counted = group.stream().filter(h -> h.state().counted()).toList();
        return request.action() == ScaleAction.UP
                ? up(request, group, counted.size() + Math.max(0, pending))
                : down(request, counted, DeleteOption.of(request.deleteOption()).orElseThrow());
    }

    private static Optional<String> invalid(HostScaleRequested request) {
        if (request.hostSelector().isEmpty()) {
            return Optional.of("hostSelector names no label, so it names no group");
        }
        // As the gateway checks it: a selector no Node could carry is a mistake, not an empty group, and nothing of
        // it should reach a label query, a ledger or the exec provider's environment.
        for (Map.Entry<String, String> label : new TreeMap<>(request.hostSelector()).entrySet()) {
            Optional<String> problem = KubernetesNames.labelKeyProblem(label.getKey())
                    .map(p -> "hostSelector has a key that is not a label key ('" + label.getKey() + "'): " + p)
                    .or(() -> KubernetesNames.labelValueProblem(label.getValue())
                            .map(p -> "hostSelector." + label.getKey() + " is not a label value ('"
                                    + label.getValue() + "'): " + p));
            if (problem.isPresent()) {
                return problem;
            }
        }
        if (request.amount() < 1) {
            return Optional.of("amount must be at least 1, got " + request.amount());
        }
        if (request.min() < 0) {
            return Optional.of("min must not be negative, got " + request.min());
        }
        if (request.min() > request.max()) {
            return Optional.of("min (" + request.min() + ") must not be above max (" + request.max() + ")");
        }
        if (request.action() == ScaleAction.DOWN && DeleteOption.of(request.deleteOption()).isEmpty()) {
            return Optional.of("deleteOption must be mostRecent or leastRecent, got '" + request.deleteOption()
                    + "'");
        }
        return Optional.empty();
    }

    private static HostPlan up(HostScaleRequested request, List<Host> group, int size) {
        Optional<Host> template = group.stream().filter(Host::cloneable).min(Host.OLDEST_FIRST);
        if (template.isEmpty()) {
            boolean allCustom = group.stream().allMatch(h -> h.provider() == Provider.CUSTOM);
            return new Refused(allCustom
                    ? "custom hosts cannot be cloned: no host of group " + request.partitionKey() + " is managed by "
                            + "a provider (Cluster API or exec); nothing was changed"
                    : "no host of group " + request.partitionKey() + " can be cloned: those a provider manages "
                            + "are in Error; nothing was changed", NOT_CLONEABLE);
        }
        if (size >= request.max()) {
            return new AtBound(size, "group " + request.partitionKey() + " has " + size + " host(s), at or above "
                    + "max " + request.max() + "; nothing was cloned");
        }
        int wanted = size + request.amount();
        int to = Math.min(request.max(), wanted);
        return new Clone(template.get(), size, to, to < wanted);
    }

    private static HostPlan down(HostScaleRequested request, List<Host> counted, DeleteOption option) {
        int size = counted.size();
        if (size <= request.min()) {
            return new AtBound(size, "group " + request.partitionKey() + " has " + size + " host(s), at or below "
                    + "min " + request.min() + "; nothing was removed");
        }
        int wanted = size - request.amount();
        int to = Math.max(request.min(), wanted);
        List<Host> ordered = new ArrayList<>(counted);
        ordered.sort(removalOrder(option));
        return new Remove(ordered.subList(0, size - to), size, to, to > wanted);
    }

    /** State first (Inactive ... Active), then age as the delete option says, then the name. */
    static Comparator<Host> removalOrder(DeleteOption option) {
        Comparator<Host> byState = Comparator.comparingInt(h -> HostState.REMOVAL_ORDER.indexOf(h.state()));
        Comparator<Host> byAge = Comparator.comparing(Host::created);
        if (option == DeleteOption.MOST_RECENT) {
            byAge = byAge.reversed();
        }
        return byState.thenComparing(byAge).thenComparing(Host::name);
    }
}
