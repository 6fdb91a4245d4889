package dev.winch.host.model;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One host of a group, as the plans see it: a Node, its state, and who makes and destroys its machine.
 *
 * @param name       the Node's name
 * @param labels     the Node's labels
 * @param created    the Node's creation time (age decides the clone source and the removal order within a state)
 * @param state      see {@link HostState#of}
 * @param provider   which provider manages it
 * @param machine    the Cluster API Machine ({@code namespace/name}), when {@code provider} is Cluster API
 * @param owner      the MachineDeployment (or MachineSet) whose replicas make and remove it, for Cluster API
 * @param stateCause why it is in that state, for people (e.g. the Machine's failure message), may be empty
 */
public record Host(String name, Map<String, String> labels, Instant created, HostState state, Provider provider,
        Optional<String> machine, Optional<MachineOwner> owner, String stateCause) {

    /** Oldest first; the name settles a tie so that the order never depends on the listing. */
    public static final Comparator<Host> OLDEST_FIRST = Comparator.comparing(Host::created)
            .thenComparing(Host::name);

    public Host {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(provider, "provider");
        machine = machine == null ? Optional.empty() : machine;
        owner = owner == null ? Optional.empty() : owner;
        stateCause = stateCause == null ? "" : stateCause;
        if (provider == Provider.CLUSTER_API && owner.isEmpty()) {
            throw new IllegalArgumentException("a Cluster API host needs the owner of its Machine: " + name);
        }
    }

    /** A host with no provider. */
    public static Host custom(String name, Map<String, String> labels, Instant created, HostState state) {
        return new Host(name, labels, created, state, Provider.CUSTOM, Optional.empty(), Optional.empty(), "");
    }

    /** A provider can make another one like it, and it is not in Error. */
    public boolean cloneable() {
        return provider != Provider.CUSTOM && state != HostState.ERROR;
    }
}
