package dev.winch.host.provider;

import dev.winch.host.model.Host;
import dev.winch.host.model.Provider;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes and destroys the machines behind hosts. Which provider manages a host is decided from its Node
 * ({@code dev.winch.host.kubernetes.HostGroups}); the host service asks that provider to clone the group's oldest
 * cloneable host, and each removed host's provider to destroy its machine once the host is drained, before its Node
 * is deleted.
 */
public interface HostProvider {

    Provider kind();

    /**
     * @param eventId  the request's event id: recorded with the change where the provider can, passed on where not
     * @param group    the group's canonical selector
     * @param template the host to clone
     * @param names    the names the new hosts are to have, when the provider lets Winch choose them (exec); as many
     *                 as there are clones to make
     * @param count    how many clones
     */
    record CloneRequest(String eventId, String group, Host template, List<String> names, int count) {
        public CloneRequest {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(template, "template");
            names = List.copyOf(names);
        }
    }

    /**
     * @param made      how many machines the provider was asked for and accepted
     * @param names     their names, when known (exec)
     * @param duplicate the provider had recorded this event already: nothing was done again
     * @param failure   why not all of them were made, when so
     * @param details   facts for the result (the owner and its replicas, exit codes...)
     */
    record CloneOutcome(int made, List<String> names, boolean duplicate, Optional<String> failure,
            Map<String, String> details) {
        public CloneOutcome {
            names = List.copyOf(names);
            details = Map.copyOf(details);
        }
    }

    /** @param hosts drained hosts of this provider, whose machines are to go */
    record RemoveRequest(String eventId, String group, List<Host> hosts) {
        public RemoveRequest {
            hosts = List.copyOf(hosts);
        }
    }

    /**
     * @param removed the hosts whose machines are gone or going: their Nodes may be deleted
     * @param failed  host → why its machine could not be removed (its Node is kept)
     */
    record RemoveOutcome(List<String> removed, Map<String, String> failed, Map<String, String> details) {
        public RemoveOutcome {
            removed = List.copyOf(removed);
            failed = Map.copyOf(failed);
            details = Map.copyOf(details);
        }
    }

    Future<CloneOutcome> clone(CloneRequest request);

    Future<RemoveOutcome> remove(RemoveRequest request);
}
