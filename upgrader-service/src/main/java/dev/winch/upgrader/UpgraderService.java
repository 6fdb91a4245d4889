package dev.winch.upgrader;

import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.PermanentFailure;
import dev.winch.common.kubernetes.KubernetesClients;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.common.runtime.ServiceRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.List;

/** The upgrader: consumes image pushes, changes the workloads they name, reports each outcome. */
public final class UpgraderService {

    private final ServiceRuntime runtime;
    private final ImageUpgrader upgrader;
    private final ResultReporter results;

    public UpgraderService(ServiceRuntime runtime, KubernetesClient client) {
        this.runtime = runtime;
        this.upgrader = new ImageUpgrader(new WorkloadOperations(client), runtime.clock());
        this.results = ResultReporter.of(runtime);
        KubernetesClients.attach(runtime, client);
    }

    public Future<Void> start() {
        return runtime.consume(List.of(Topics.IMAGE_PUSHED), this::handle).mapEmpty();
    }

    private Future<Void> handle(Event<?> event) {
        if (!(event.data() instanceof ImagePushed)) {
            return Future.failedFuture(new PermanentFailure(
                    "expected " + Topics.IMAGE_PUSHED + " to carry image pushes, got " + event.type().type()));
        }
        @SuppressWarnings("unchecked")
        Event<ImagePushed> push = (Event<ImagePushed>) event;
        return runtime.blocking().call(() -> upgrader.apply(push)).compose(results::report);
    }
}
