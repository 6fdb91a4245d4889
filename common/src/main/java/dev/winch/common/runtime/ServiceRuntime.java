package dev.winch.common.runtime;

import dev.winch.common.config.RuntimeConfig;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.WinchEvent;
import dev.winch.common.kafka.BatchEventHandler;
import dev.winch.common.kafka.EventConsumer;
import dev.winch.common.kafka.EventHandler;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.kafka.TypedEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Winch service runs on: a Vert.x instance with Micrometer metrics, the management server (health,
 * readiness, Prometheus), a bounded worker pool for blocking calls, a Kafka publisher (acks=all, idempotent),
 * Kafka consumers run by {@link EventConsumer}, and an orderly shutdown.
 *
 * <p>Shutdown order: stop the consumers (no more polling, in-flight work finishes, offsets committed), then the
 * service's own steps in reverse order of registration, then the publisher, the management server, Vert.x.
 */
public final class ServiceRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceRuntime.class);

    private final RuntimeConfig config;
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final Blocking blocking;
    private final Readiness readiness;
    private final ManagementServer management;
    private final EventCodec codec = new EventCodec();
    private final KafkaAdminClient admin;
    private final List<EventConsumer> consumers = new ArrayList<>();
    private final Deque<Supplier<Future<Void>>> closeSteps = new ArrayDeque<>();
    private final Clock clock;
    private EventPublisher publisher;
    private int managementPort = -1;
    private boolean closed;

    private ServiceRuntime(RuntimeConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.registry.config().commonTags("service", config.serviceName());
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true);
        if (!config.httpServerMetrics()) {
            metrics.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
        }
        this.vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(metrics))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        this.blocking = new Blocking(
                vertx.createSharedWorkerExecutor("winch-" + config.serviceName() + "-blocking",
                        config.workerPoolSize(), config.blockingTimeout().toMillis(), TimeUnit.MILLISECONDS),
                config.blockingTimeout());
        this.readiness = new Readiness(vertx);
        this.management = new ManagementServer(vertx, readiness, registry);
        this.admin = KafkaAdminClient.create(vertx, config.kafka().admin());
        readiness.register("kafka", 4_000, () -> admin.describeCluster());
    }

    /** A runtime for one service; nothing listens until {@link #startManagement(String)}. */
    public static ServiceRuntime create(RuntimeConfig config) {
        return new ServiceRuntime(config, Clock.systemUTC());
    }

    public static ServiceRuntime create(RuntimeConfig config, Clock clock) {
        return new ServiceRuntime(config, clock);
    }

    /** Starts the management server on {@code host} and the configured port (0 picks a free one). */
    public Future<Integer> startManagement(String host) {
        return management.start(host, config.managementPort()).onSuccess(port -> managementPort = port);
    }

    /** The port the management server listens on, once started. */
    public int managementPort() {
        return managementPort;
    }

    public RuntimeConfig config() {
        return config;
    }

    public Vertx vertx() {
        return vertx;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public Blocking blocking() {
        return blocking;
    }

    public Readiness readiness() {
        return readiness;
    }

    public EventCodec codec() {
        return codec;
    }

    public Clock clock() {
        return clock;
    }

    /** The service's one producer, created on first use. */
    public synchronized EventPublisher publisher() {
        if (publisher == null) {
            publisher = new EventPublisher(vertx,
                    config.kafka().producer(config.serviceName()), codec, registry);
        }
        return publisher;
    }

    /**
     * Starts a consumer in this service's group on {@code topics}. Its handler runs on a Vert.x event-loop
     * context; it is stopped first on shutdown.
     */
    public Future<EventConsumer> consume(List<String> topics, EventHandler handler) {
        return consumeBatches(topics, 1, BatchEventHandler.of(handler));
    }

    /**
     * Starts a consumer of {@code topic}, whose events all carry a {@code type}: the handler gets them typed. An
     * event of another type is dead-lettered as a {@link dev.winch.common.kafka.PermanentFailure}.
     */
    public <T extends WinchEvent> Future<EventConsumer> consume(String topic, Class<T> type,
            TypedEvents.Handler<T> handler) {
        return consume(List.of(topic), TypedEvents.of(topic, type, handler));
    }

    /** As {@link #consume(String, Class, TypedEvents.Handler)}, in batches as {@link #consumeBatches}. */
    public <T extends WinchEvent> Future<EventConsumer> consumeBatches(String topic, Class<T> type, int maxBatch,
            TypedEvents.BatchHandler<T> handler) {
        return consumeBatches(List.of(topic), maxBatch, TypedEvents.ofBatches(topic, type, handler));
    }

    /** As {@link #consume}, handing up to {@code maxBatch} waiting events of a partition to the handler at once. */
    public Future<EventConsumer> consumeBatches(List<String> topics, int maxBatch, BatchEventHandler handler) {
        return consumeBatches(config.consumerGroup(), topics, maxBatch, handler);
    }

    /**
     * As {@link #consumeBatches(List, int, BatchEventHandler)}, in the group {@code groupId} instead of the
     * service's: for a service that keeps one position per destination (the notifier's group per channel), so a
     * destination that is slow or down holds back only its own group.
     */
    public Future<EventConsumer> consumeBatches(String groupId, List<String> topics, int maxBatch,
            BatchEventHandler handler) {
        EventConsumer consumer = EventConsumer.batching(vertx,
                new EventConsumer.Settings(topics, groupId, config.maxInFlight(),
                        config.retryMaxAttempts(), config.retryBackoff(), config.retryBackoffMax(), maxBatch, true),
                config.kafka().consumer(groupId,
                        config.serviceName() + "-" + groupId + "-" + String.join("+", topics)),
                codec, handler, publisher(), registry);
        consumers.add(consumer);
        // The consumer runs its handlers on the context it is started from: give it an event-loop context.
        Context context = vertx.getOrCreateContext();
        Promise<Void> started = Promise.promise();
        context.runOnContext(v -> consumer.start().onComplete(started));
        return started.future().map(consumer);
    }

    /** A step to run on shutdown, after the consumers stopped; steps run last-registered first. */
    public void onClose(Supplier<Future<Void>> step) {
        closeSteps.push(step);
    }

    /** Marks the service started: from now on readiness depends only on the registered checks. */
    public void markStarted() {
        readiness.markStarted();
    }

    /** Graceful shutdown; see the class comment for the order. Idempotent. */
    public synchronized Future<Void> close() {
        if (closed) {
            return Future.succeededFuture();
        }
        closed = true;
        Future<Void> chain = Future.all(consumers.stream()
                        .map(c -> c.stop(config.shutdownTimeout()))
                        .toList())
                .mapEmpty();
        while (!closeSteps.isEmpty()) {
            Supplier<Future<Void>> step = closeSteps.pop();
            chain = chain.transform(ar -> step.get());
        }
        return chain
                .transform(ar -> publisher == null ? Future.succeededFuture() : publisher.close())
                .transform(ar -> admin.close())
                .transform(ar -> management.close())
                .transform(ar -> blocking.close())
                .transform(ar -> vertx.close())
                .onComplete(ar -> LOG.info("{} stopped", config.serviceName()));
    }
}
