package dev.winch.notifier.events.watch;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.runtime.Blocking;
import dev.winch.common.runtime.ServiceRuntime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Kubernetes events and publishes them to {@code winch.k8s.events} while this replica holds the events
 * Lease (fabric8's {@code LeaderElector} on a coordination.k8s.io/v1 Lease). On becoming leader it reads the
 * topic's tail back ({@link TopicTail}) to learn what was published and where each watch resumes
 * ({@link PublishedLedger}), then starts one {@link EventsWatch} per namespace (or one for the cluster). On losing
 * the Lease it stops at once: a flag checked before every publication is cleared on the elector's thread, before
 * the watches are closed.
 */
public final class EventsWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(EventsWatcher.class);
    /** The ledger key of the cluster-wide watch. */
    static final String ALL = "*";
    private static final Duration READ_BACK_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Blocking blocking;
    private final KubernetesClient client;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final String bootstrapServers;
    private final Clock clock;
    private final EventsWatchConfig config;
    private final EventsWatchMetrics metrics;
    private final URI source = URI.create("/winch/notifier/events");
    private Context context;
    private volatile CompletableFuture<?> election;
    private volatile boolean leading;
    private volatile boolean caughtUp;
    private volatile boolean stopped;
    private long progressTimer = -1;
    private int term;
    private final List<EventsWatch> watches = new ArrayList<>();

    public EventsWatcher(Vertx vertx, Blocking blocking, KubernetesClient client, EventPublisher publisher,
            EventCodec codec, String bootstrapServers, MeterRegistry registry, Clock clock, EventsWatchConfig config) {
        this.vertx = vertx;
        this.blocking = blocking;
        this.client = client;
        this.publisher = publisher;
        this.codec = codec;
        this.bootstrapServers = bootstrapServers;
        this.clock = clock;
        this.config = config;
        this.metrics = new EventsWatchMetrics(registry);
    }

    /** A watcher on a service's runtime (its worker pool, publisher and meters). */
    public static EventsWatcher on(ServiceRuntime runtime, KubernetesClient client, EventsWatchConfig config) {
        return new EventsWatcher(runtime.vertx(), runtime.blocking(), client, runtime.publisher(), runtime.codec(),
                runtime.config().kafkaBootstrapServers(), runtime.registry(), runtime.clock(), config);
    }

    /**
     * Joins the election; completes at once (leading, watching and publishing happen when the Lease is won). Call
     * on an event loop: the watcher keeps that context.
     */
    public Future<Void> start() {
        context = vertx.getOrCreateContext();
        LOG.info("Kubernetes events: {} joins the election on Lease {}/{}; watching {}", config.identity(),
                config.leaseNamespace(), config.leaseName(),
                config.clusterWide() ? "all namespaces" : String.join(", ", config.namespaces()));
        joinElection();
        return Future.succeededFuture();
    }

    /**
     * Runs the elector until this replica stops. fabric8's elector ends once its leader has lost the Lease (or
     * could not reach the API server); the replica then joins again as a candidate, after a retry period.
     */
    private void joinElection() {
        if (stopped) {
            return;
        }
        var electionConfig = new LeaderElectionConfigBuilder()
                .withName(config.leaseName())
                .withLock(new LeaseLock(config.leaseNamespace(), config.leaseName(), config.identity()))
                .withLeaseDuration(config.leaseDuration())
                .withRenewDeadline(config.renewDeadline())
                .withRetryPeriod(config.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
                        leader -> {
                            if (leader != null) {
                                LOG.info("Kubernetes events: {} leads", leader);
                            }
                        }))
                .build();
        try {
            CompletableFuture<?> running = client.leaderElector().withConfig(electionConfig).build().start();
            election = running;
            running.whenComplete((v, error) -> rejoinLater(error));
        } catch (RuntimeException e) {
            rejoinLater(e);
        }
    }

    private void rejoinLater(Throwable error) {
        if (stopped) {
            return;
        }
        if (error != null && !(error instanceof java.util.concurrent.CancellationException)) {
            LOG.warn("Kubernetes events: the election on Lease {}/{} ended ({}); joining again", config.leaseNamespace(),
                    config.leaseName(), error.toString());
        }
        vertx.setTimer(config.retryPeriod().toMillis(), id -> joinElection());
    }

    /** Leaves the election (the Lease is released, so another replica takes over at once) and stops watching. */
    public Future<Void> stop() {
        stopped = true;
        leading = false;
        metrics.leading(false);
        CompletableFuture<?> running = election;
        election = null;
        Future<Void> left = running == null ? Future.succeededFuture() : blocking.run(() -> running.cancel(true));
        return left.compose(v -> {
            var stopped = io.vertx.core.Promise.<Void>promise();
            if (context == null) {
                return Future.succeededFuture();
            }
            context.runOnContext(x -> {
                endTerm();
                stopped.complete();
            });
            return stopped.future();
        });
    }

    /**
     * Whether this replica leads and every watch is open with nothing left to publish. Read from any thread (a
     * health check, a test); a moment's view.
     */
    public boolean caughtUp() {
        return leading && caughtUp;
    }

    /** Whether this replica holds the Lease now. */
    public boolean leading() {
        return leading;
    }

    /** Called by the elector (its own thread). */
    private void startedLeading() {
        if (stopped) {
            return;
        }
        leading = true;
        metrics.leading(true);
        context.runOnContext(v -> beginTerm());
    }

    /** Called by the elector when the Lease is lost or released: no publication from here on. */
    private void stoppedLeading() {
        leading = false;
        metrics.leading(false);
        LOG.info("Kubernetes events: {} no longer leads; watches stopped", config.identity());
        context.runOnContext(v -> endTerm());
    }

    private void beginTerm() {
        if (!leading) {
            return;
        }
        int current = ++term;
        Function<KubeEventObserved, String> keyOf = config.clusterWide() ? event -> ALL : EventsWatcher::namespaceOf;
        blocking.call(() -> TopicTail.read(bootstrapServers, config.topic(), config.readBack(), clock, codec, keyOf,
                        READ_BACK_TIMEOUT))
                .onComplete(read -> {
                    if (!leading || current != term) {
                        return;
                    }
                    if (read.failed()) {
                        LOG.warn("Kubernetes events: cannot read {} back ({}); trying again", config.topic(),
                                read.cause().toString());
                        vertx.setTimer(RETRY.toMillis(), id -> context.runOnContext(v -> {
                            if (current == term) {
                                term--;
                                beginTerm();
                            }
                        }));
                        return;
                    }
                    PublishedLedger ledger = PublishedLedger.of(read.result(), config.remember());
                    LOG.info("Kubernetes events: {} leads; read {} published events back from {}{}",
                            config.identity(), read.result().size(), config.topic(),
                            ledger.fresh() ? " (none: starting from now)" : "");
                    List<Optional<String>> scopes = config.clusterWide() ? List.of(Optional.empty())
                            : config.namespaces().stream().map(Optional::of).toList();
                    for (Optional<String> scope : scopes) {
                        EventsWatch watch = new EventsWatch(scope.orElse(ALL), scope, client, vertx, context,
                                blocking, ledger, this::publish, metrics);
                        watches.add(watch);
                        watch.start();
                    }
                    progressTimer = vertx.setPeriodic(50, id -> context.runOnContext(v -> caughtUp =
                            !watches.isEmpty() && watches.stream().allMatch(EventsWatch::caughtUp)));
                });
    }

    private void endTerm() {
        term++;
        caughtUp = false;
        if (progressTimer >= 0) {
            vertx.cancelTimer(progressTimer);
            progressTimer = -1;
        }
        watches.forEach(EventsWatch::stop);
        watches.clear();
    }

    private Future<?> publish(KubeEventObserved event, long acknowledgedThrough) {
        if (!leading) {
            return Future.failedFuture(new IllegalStateException("no longer the leader"));
        }
        ProducerRecord<String, byte[]> record = codec.toRecord(config.topic(),
                new Event<>(recordId(event), source, clock.instant(), event));
        record.headers().add(EventsWatch.ACKNOWLEDGED_THROUGH,
                Long.toString(acknowledgedThrough).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return publisher.send(record);
    }

    /**
     * The record's id, the same for the same Event version (uid and resourceVersion): a publication written twice
     * (unacknowledged at a leader hand-over, published again by the next leader) is one CloudEvent to its readers.
     */
    static String recordId(KubeEventObserved event) {
        return java.util.UUID.nameUUIDFromBytes(("k8s-event:" + event.uid() + "@" + event.resourceVersion())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** The namespace of the Event object itself (where it is listed), which the watch of that namespace saw. */
    static String namespaceOf(KubeEventObserved event) {
        Object metadata = event.object().get("metadata");
        if (metadata instanceof Map<?, ?> map && map.get("namespace") instanceof String namespace) {
            return namespace;
        }
        return event.namespace();
    }
}
