package dev.winch.scaler;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.EventConsumer;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.common.runtime.ResultReporter;
import dev.winch.common.runtime.ServiceRuntime;
import dev.winch.kubernetes.KubernetesClients;
import dev.winch.scaler.TargetScaler.AfterWrite;
import dev.winch.scaler.kubernetes.HorizontalPodAutoscalers;
import dev.winch.scaler.kubernetes.KubernetesWorkloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scaler: consumes scale requests in batches, scales each target once per batch within the bounds, and reports
 * one result per request on {@code winch.results} before the batch's offsets are committed.
 *
 * <p>A batch holds the waiting requests of one partition, in order; a partition holds several keys. The requests
 * are grouped by key (one workload, or one selector) keeping their order, and each group is folded into one plan
 * and one write ({@link TargetScaler}). Groups are different targets, so they run side by side; the handler
 * completes (and the offsets are committed) when every group is done and its results are stored. Two replicas in
 * one consumer group never hold the same partition, so one target is never scaled by two replicas at once; during a
 * rebalance, the resourceVersion on every write and the offsets and ids recorded with it keep a late write from
 * being lost or applied twice.
 */
public final class ScalerService {

    private final ServiceRuntime runtime;
    private final ScalerConfig config;
    private final TargetScaler scaler;
    private final ResultReporter results;
    private volatile EventConsumer consumer;

    public ScalerService(ServiceRuntime runtime, KubernetesClient client, ScalerConfig config) {
        this(runtime, client, config, AfterWrite.NONE);
    }

    ScalerService(ServiceRuntime runtime, KubernetesClient client, ScalerConfig config, AfterWrite afterWrite) {
        this.runtime = runtime;
        this.config = config;
        this.scaler = new TargetScaler(new KubernetesWorkloads(client, runtime.blocking()),
                new HorizontalPodAutoscalers(client, runtime.blocking(), runtime.clock(), runtime.registry()),
                runtime.clock(), config.instanceId(),
                runtime.registry(), afterWrite);
        this.results = ResultReporter.of(runtime);
        KubernetesClients.attach(runtime, client);
    }

    public Future<Void> start() {
        return runtime.consumeBatches(Topics.SERVICE_SCALE, ServiceScaleRequested.class, config.maxBatch(),
                        this::handle)
                .onSuccess(started -> consumer = started)
                .mapEmpty();
    }

    /** True once the consumer group gave this replica at least one partition. */
    public boolean hasAssignment() {
        EventConsumer current = consumer;
        return current != null && current.hasAssignment();
    }

    Future<Void> handle(List<Event<ServiceScaleRequested>> events, List<RecordPosition> positions) {
        Map<String, Group> byTarget = new LinkedHashMap<>();
        List<Future<Void>> work = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event<ServiceScaleRequested> request = events.get(i);
            Group group = byTarget.computeIfAbsent(request.key(), key -> new Group());
            group.requests.add(request);
            group.positions.add(positions.get(i));
        }
        byTarget.values().forEach(group -> work.add(scaler.scale(group.requests, group.positions)
                .compose(this::publish)));
        // join, not all: a retry of the batch must not start while a group of it is still writing.
        return Future.join(work).mapEmpty();
    }

    /** The requests of one key in a batch, in order, and where each was read. */
    private static final class Group {
        final List<Event<ServiceScaleRequested>> requests = new ArrayList<>();
        final List<RecordPosition> positions = new ArrayList<>();
    }

    private Future<Void> publish(List<ActionResult> outcomes) {
        Future<Void> chain = Future.succeededFuture();
        for (ActionResult outcome : outcomes) {
            chain = chain.compose(v -> results.report(outcome));
        }
        return chain;
    }
}
