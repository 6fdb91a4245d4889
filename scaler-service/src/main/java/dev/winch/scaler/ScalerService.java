package dev.winch.scaler;

import dev.winch.common.event.Event;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.PermanentFailure;
import dev.winch.common.kubernetes.KubernetesClients;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.common.runtime.ServiceRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.List;

/** The scaler: consumes scale requests, scales the workloads within bounds, reports each outcome. */
public final class ScalerService {

    private final ServiceRuntime runtime;
    private final WorkloadScaler scaler;
    private final ResultReporter results;

    public ScalerService(ServiceRuntime runtime, KubernetesClient client) {
        this.runtime = runtime;
        this.scaler = new WorkloadScaler(client, runtime.clock());
        this.results = ResultReporter.of(runtime);
        KubernetesClients.attach(runtime, client);
    }

    public Future<Void> start() {
        return runtime.consume(List.of(Topics.SERVICE_SCALE), this::handle).mapEmpty();
    }

    private Future<Void> handle(Event<?> event) {
        if (!(event.data() instanceof ServiceScaleRequested)) {
            return Future.failedFuture(new PermanentFailure(
                    "expected " + Topics.SERVICE_SCALE + " to carry scale requests, got " + event.type().type()));
        }
        @SuppressWarnings("unchecked")
        Event<ServiceScaleRequested> request = (Event<ServiceScaleRequested>) event;
        return runtime.blocking().call(() -> scaler.apply(request)).compose(results::report);
    }
}
