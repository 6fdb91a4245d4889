package dev.winch.host;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.HostScaleRequested;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.Topics;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.KubernetesClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.Map;

/**
 * The host service: consumes host-group scale requests. No host provider is wired in yet, so every request is
 * answered with a failed result that says so (nothing is changed, and the sender can see why).
 */
public final class HostService {

    private final ServiceRuntime runtime;
    private final ResultReporter results;

    public HostService(ServiceRuntime runtime, KubernetesClient client) {
        this.runtime = runtime;
        this.results = ResultReporter.of(runtime);
        KubernetesClients.attach(runtime, client);
    }

    public Future<Void> start() {
        return runtime.consume(Topics.HOST_SCALE, HostScaleRequested.class, this::handle).mapEmpty();
    }

    private Future<Void> handle(Event<HostScaleRequested> event) {
        HostScaleRequested request = event.data();
        var now = runtime.clock().instant();
        return results.report(new ActionResult(event.id(), event.type().type(), request.receiverId(),
                request.partitionKey(), Outcome.FAILED,
                "no host provider is configured, so hosts of group " + request.partitionKey() + " cannot be "
                        + (request.action().name().equals("UP") ? "cloned" : "removed"),
                Map.of(), now, now, "host"));
    }
}
