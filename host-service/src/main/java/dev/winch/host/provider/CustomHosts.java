package dev.winch.host.provider;

import dev.winch.host.model.Host;
import dev.winch.host.model.Provider;
import io.vertx.core.Future;
import java.util.Map;

/**
 * Hosts no provider manages (added by hand, Rancher's "custom hosts"): nothing to destroy beyond the Node, which the
 * host service deletes after the drain; never cloned (the plan refuses before a clone is asked for).
 */
public final class CustomHosts implements HostProvider {

    @Override
    public Provider kind() {
        return Provider.CUSTOM;
    }

    @Override
    public Future<CloneOutcome> clone(CloneRequest request) {
        return Future.failedFuture(new IllegalStateException("custom hosts cannot be cloned"));
    }

    @Override
    public Future<RemoveOutcome> remove(RemoveRequest request) {
        return Future.succeededFuture(new RemoveOutcome(request.hosts().stream().map(Host::name).toList(), Map.of(),
                Map.of()));
    }
}
