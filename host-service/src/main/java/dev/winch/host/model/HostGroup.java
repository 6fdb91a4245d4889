package dev.winch.host.model;

import java.util.List;
import java.util.Set;

/**
 * A group as read: its hosts, the machines asked for that have no Node yet, and the event ids recorded on the
 * Cluster API objects of its hosts (a clone is recorded there, in the same write as the replica change).
 *
 * @param key            the canonical selector ({@code k1=v1,k2=v2})
 * @param hosts          every Node carrying all the selector's labels, Error ones included
 * @param pending        machines the owners of its Cluster API hosts are asked for and whose Nodes have not joined
 * @param ownerEventIds  ids recorded ({@code winch.dev/applied-events}) on those owners
 */
public record HostGroup(String key, List<Host> hosts, int pending, Set<String> ownerEventIds) {

    public HostGroup {
        hosts = List.copyOf(hosts);
        ownerEventIds = Set.copyOf(ownerEventIds);
    }

    public Set<String> names() {
        return hosts.stream().map(Host::name).collect(java.util.stream.Collectors.toSet());
    }
}
