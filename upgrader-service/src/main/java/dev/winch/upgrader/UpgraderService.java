package dev.winch.upgrader;

import dev.winch.common.event.ImagePushed;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.EventConsumer;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.KubernetesClients;
import dev.winch.upgrader.kubernetes.KubernetesWorkloads;
import dev.winch.upgrader.kubernetes.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;

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
        ResultReporter results = ResultReporter.of(runtime);
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
        return runtime.consume(Topics.IMAGE_PUSHED, ImagePushed.class, handler::handle)
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
}
