package dev.winch.upgrader;

import dev.winch.common.event.Event;
import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.EventConsumer;
import dev.winch.common.kafka.PermanentFailure;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.KubernetesClients;
import dev.winch.upgrader.kubernetes.KubernetesWorkloads;
import dev.winch.upgrader.kubernetes.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.List;

/**
 * The upgrader: consumes image pushes from {@code winch.image.pushed} (key = repository, so pushes of one
 * repository are handled in order, by one replica at a time, and replicas in one consumer group share the
 * repositories), hands each to the {@link PushHandler}, and runs the {@link RolloutTracker} that reports how the
 * rollouts end. An event's offset is committed once its workloads are written and their results stored; the
 * rollouts are followed after that, so no partition waits for a rollout.
 */
public final class UpgraderService {

    private final ServiceRuntime runtime;
    private final PushHandler handler;
    private final RolloutTracker tracker;
    private EventConsumer consumer;

    /** With the default rollout settings. */
    public UpgraderService(ServiceRuntime runtime, KubernetesClient client) {
        this(runtime, UpgraderConfig.withDefaults(runtime.config()), client);
    }

    public UpgraderService(ServiceRuntime runtime, UpgraderConfig config, KubernetesClient client) {
        this.runtime = runtime;
        Workloads workloads = new KubernetesWorkloads(client);
        ResultSink results = ResultReporter.of(runtime)::report;
        this.tracker = new RolloutTracker(runtime.vertx(), runtime.blocking(), workloads, results, runtime.clock(),
                config.rolloutPollInterval(), config.maxTrackedRollouts(), runtime.registry());
        this.handler = new PushHandler(runtime.blocking(), workloads, results, tracker, runtime.clock(),
                config.rolloutTimeout(), config.runtime().workerPoolSize());
        KubernetesClients.attach(runtime, client);
        // registered after the client's step, so it runs first: close steps run last-registered first
        runtime.onClose(tracker::close);
    }

    public Future<Void> start() {
        tracker.start();
        return runtime.consume(List.of(Topics.IMAGE_PUSHED), this::handle)
                .onSuccess(c -> consumer = c)
                .mapEmpty();
    }

    /** True once the consumer group gave this replica at least one partition. */
    public boolean hasAssignment() {
        return consumer != null && consumer.hasAssignment();
    }

    /** Rollouts this replica follows now. */
    public int trackedRollouts() {
        return tracker.size();
    }

    private Future<Void> handle(Event<?> event) {
        if (!(event.data() instanceof ImagePushed)) {
            return Future.failedFuture(new PermanentFailure(
                    "expected " + Topics.IMAGE_PUSHED + " to carry image pushes, got " + event.type().type()));
        }
        @SuppressWarnings("unchecked")
        Event<ImagePushed> push = (Event<ImagePushed>) event;
        return handler.handle(push);
    }
}
