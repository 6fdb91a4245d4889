package dev.winch.notifier.events.watch;

import dev.winch.common.event.KubeEventObserved;
import dev.winch.common.runtime.Blocking;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of core/v1 Events (the whole cluster or one namespace) while this replica leads: list, publish what
 * the topic does not have, watch from the list's resourceVersion, publish each new or changed event (in batches:
 * the next once the broker answered for every event of the previous; each record says up to which resourceVersion
 * every event was acknowledged when it was sent, the resume point a later leader takes). A watch that ends with an
 * error (410 Gone among them) is followed by a relist, once what is queued is published.
 *
 * <p>Every resourceVersion is compared with the highest one this watch has seen, and what is not above it is
 * dropped: a real API server never sends such an event on a watch, and a stand-in that replays every object when
 * a watch opens is then harmless.
 *
 * <p>All state is touched on one Vert.x context; the client's callbacks are handed over to it.
 */
final class EventsWatch {

    private static final Logger LOG = LoggerFactory.getLogger(EventsWatch.class);
    private static final long LIST_PAGE = 500;
    /** Events sent before waiting for the broker's acknowledgements (a burst goes out in a few round trips). */
    static final int MAX_BATCH = 256;
    /**
     * The header that tells a later leader where it may resume: every event of the watch up to this resourceVersion
     * was acknowledged when the record was sent (those sent with it, which may not all have made it, are above).
     */
    static final String ACKNOWLEDGED_THROUGH = "winch_acknowledged_through";
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String key;
    private final Optional<String> namespace;
    private final KubernetesClient client;
    private final Vertx vertx;
    private final Context context;
    private final Blocking blocking;
    private final PublishedLedger ledger;
    private final BiFunction<KubeEventObserved, Long, Future<?>> publish;
    private final EventsWatchMetrics metrics;
    private final Deque<KubeEventObserved> queue = new ArrayDeque<>();
    private long lastSeen = -1;
    private int generation;
    private Watch watch;
    private boolean active = true;
    private boolean publishing;
    private boolean syncing;
    private boolean needsSync;
    private Duration backoff = FIRST_BACKOFF;

    /**
     * @param key       the watch's key in the ledger
     * @param namespace the namespace watched; empty = all
     * @param publish   publishes one event with the resourceVersion up to which every event of this watch was
     *                  acknowledged (the {@value #ACKNOWLEDGED_THROUGH} header); completes when the broker
     *                  acknowledged it
     */
    EventsWatch(String key, Optional<String> namespace, KubernetesClient client, Vertx vertx, Context context,
            Blocking blocking, PublishedLedger ledger, BiFunction<KubeEventObserved, Long, Future<?>> publish,
            EventsWatchMetrics metrics) {
        this.key = key;
        this.namespace = namespace;
        this.client = client;
        this.vertx = vertx;
        this.context = context;
        this.blocking = blocking;
        this.ledger = ledger;
        this.publish = publish;
        this.metrics = metrics;
    }

    /** Whether the watch is open and nothing waits to be published. */
    boolean caughtUp() {
        return active && watch != null && queue.isEmpty() && !publishing && !syncing && !needsSync;
    }

    /** Lists and watches; on the watcher's context. */
    void start() {
        sync();
    }

    /** Stops at once: nothing more is published, the watch is closed. On the watcher's context. */
    void stop() {
        active = false;
        generation++;
        queue.clear();
        Watch open = watch;
        watch = null;
        if (open != null) {
            blocking.run(open::close);
        }
    }

    private String where() {
        return namespace.map(ns -> "namespace " + ns).orElse("all namespaces");
    }

    /** Lists the events, queues those the topic does not have, then watches from the list's resourceVersion. */
    private void sync() {
        syncing = true;
        int current = ++generation;
        Watch old = watch;
        watch = null;
        blocking.call(() -> {
                    if (old != null) {
                        old.close();
                    }
                    return listAll();
                })
                .onComplete(listed -> {
                    if (!active || current != generation) {
                        return;
                    }
                    if (listed.failed()) {
                        metrics.watchRestarted();
                        retrySync("list failed: " + listed.cause());
                        return;
                    }
                    Listed list = listed.result();
                    if (ledger.resumePoint(key).isEmpty()) {
                        // A fresh install: what is there now is history, not news.
                        ledger.startFrom(key, list.resourceVersion());
                        LOG.info("Events in {}: nothing published yet; starting from now (resourceVersion {}, {} "
                                + "existing events not published)", where(), list.resourceVersion(),
                                list.events().size());
                    } else {
                        int queued = 0;
                        for (io.fabric8.kubernetes.api.model.Event event : list.events()) {
                            metrics.observed();
                            if (offer(event)) {
                                queued++;
                            }
                        }
                        LOG.info("Events in {}: listed {} at resourceVersion {}, {} not yet published", where(),
                                list.events().size(), list.resourceVersion(), queued);
                    }
                    lastSeen = Math.max(lastSeen, list.resourceVersion());
                    syncing = false;
                    openWatch(current, list.resourceVersion());
                    pump();
                });
    }

    private record Listed(long resourceVersion, List<io.fabric8.kubernetes.api.model.Event> events) {
    }

    /** Blocking: every page of the list, sorted by resourceVersion; the first page's resourceVersion. */
    private Listed listAll() {
        List<io.fabric8.kubernetes.api.model.Event> events = new ArrayList<>();
        String continueToken = null;
        String resourceVersion = null;
        do {
            ListOptionsBuilder options = new ListOptionsBuilder().withLimit(LIST_PAGE);
            if (continueToken != null) {
                options.withContinue(continueToken);
            }
            io.fabric8.kubernetes.api.model.EventList page = namespace.isPresent()
                    ? client.v1().events().inNamespace(namespace.get()).list(options.build())
                    : client.v1().events().inAnyNamespace().list(options.build());
            if (resourceVersion == null) {
                resourceVersion = page.getMetadata().getResourceVersion();
            }
            events.addAll(page.getItems());
            continueToken = page.getMetadata().getContinue();
        } while (continueToken != null && !continueToken.isEmpty());
        OptionalLong version = ResourceVersions.parse(resourceVersion);
        if (version.isEmpty()) {
            throw new IllegalStateException("the API server listed events at resourceVersion '" + resourceVersion
                    + "', which is not a number: cannot tell what was published");
        }
        events.sort(Comparator.comparingLong(event -> ResourceVersions.parse(
                event.getMetadata().getResourceVersion()).orElse(Long.MAX_VALUE)));
        return new Listed(version.getAsLong(), events);
    }

    private void openWatch(int current, long from) {
        Watcher<io.fabric8.kubernetes.api.model.Event> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.Event event) {
                context.runOnContext(v -> received(current, action, event));
            }

            @Override
            public void onClose(WatcherException cause) {
                context.runOnContext(v -> closed(current, cause));
            }

            @Override
            public void onClose() {
                // Closed by this side: nothing to do.
            }
        };
        blocking.call(() -> namespace.isPresent()
                        ? client.v1().events().inNamespace(namespace.get()).withResourceVersion(Long.toString(from))
                                .watch(watcher)
                        : client.v1().events().inAnyNamespace().withResourceVersion(Long.toString(from))
                                .watch(watcher))
                .onComplete(opened -> {
                    if (opened.succeeded() && active && current == generation) {
                        watch = opened.result();
                        backoff = FIRST_BACKOFF;
                        return;
                    }
                    if (opened.succeeded()) {
                        blocking.run(opened.result()::close);
                        return;
                    }
                    if (!active || current != generation) {
                        return;
                    }
                    metrics.watchRestarted();
                    if (gone(opened.cause())) {
                        metrics.gone();
                        LOG.info("Events in {}: resourceVersion {} is too old (410 Gone); relisting", where(), from);
                        generation++;
                        needsSync = true;
                        pump();
                    } else {
                        retrySync("watch failed: " + opened.cause());
                    }
                });
    }

    private static boolean gone(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof KubernetesClientException client && client.getCode() == HttpURLConnection.HTTP_GONE) {
                return true;
            }
        }
        return false;
    }

    private void received(int current, Watcher.Action action, io.fabric8.kubernetes.api.model.Event event) {
        if (!active || current != generation) {
            return;
        }
        OptionalLong version = ResourceVersions.parse(event.getMetadata().getResourceVersion());
        if (version.isEmpty() || version.getAsLong() <= lastSeen) {
            return;
        }
        lastSeen = version.getAsLong();
        if (action == Watcher.Action.ADDED || action == Watcher.Action.MODIFIED) {
            metrics.observed();
            offer(event);
            pump();
        }
    }

    private void closed(int current, WatcherException cause) {
        if (!active || current != generation) {
            return;
        }
        metrics.watchRestarted();
        generation++;
        watch = null;
        if (cause != null && cause.isHttpGone()) {
            metrics.gone();
            LOG.info("Events in {}: the watch ended with 410 Gone after resourceVersion {}; relisting", where(),
                    lastSeen);
        } else {
            LOG.warn("Events in {}: the watch ended ({}); relisting", where(), cause);
        }
        needsSync = true;
        pump();
    }

    /** Queues the event if the topic does not have it; true if queued. */
    private boolean offer(io.fabric8.kubernetes.api.model.Event event) {
        String uid = event.getMetadata().getUid();
        OptionalLong version = ResourceVersions.parse(event.getMetadata().getResourceVersion());
        if (uid == null || version.isEmpty()) {
            LOG.warn("Events in {}: skipping event {} without a uid or a numeric resourceVersion ({})", where(),
                    event.getMetadata().getName(), event.getMetadata().getResourceVersion());
            return false;
        }
        if (!ledger.isNew(key, uid, version.getAsLong())) {
            metrics.skipped();
            return false;
        }
        queue.add(observed(event));
        return true;
    }

    /**
     * Publishes what is queued, up to {@link #MAX_BATCH} events at once (the producer keeps each key's order), then
     * the next batch; relists when the queue is empty and a relist is due. An event is marked published only once
     * the broker acknowledged it; a failed one goes back to the head of the queue, in its order, and is retried
     * after a back-off (one acknowledged in the same batch is not sent again).
     */
    private void pump() {
        if (!active || publishing) {
            return;
        }
        if (queue.isEmpty()) {
            if (needsSync && !syncing) {
                needsSync = false;
                sync();
            }
            return;
        }
        List<KubeEventObserved> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            batch.add(queue.poll());
        }
        long through = batch.stream().mapToLong(event -> ResourceVersions.parse(event.resourceVersion()).orElseThrow())
                .min().orElseThrow() - 1;
        List<Future<?>> sends = new ArrayList<>(batch.size());
        batch.forEach(event -> sends.add(publish.apply(event, through)));
        publishing = true;
        Future.join(sends).onComplete(all -> {
            publishing = false;
            if (!active) {
                return;
            }
            Deque<KubeEventObserved> failed = new ArrayDeque<>();
            Throwable cause = null;
            for (int i = 0; i < batch.size(); i++) {
                KubeEventObserved event = batch.get(i);
                if (sends.get(i).succeeded()) {
                    ledger.published(key, event.uid(), ResourceVersions.parse(event.resourceVersion()).orElseThrow());
                    metrics.published();
                } else {
                    failed.add(event);
                    cause = cause == null ? sends.get(i).cause() : cause;
                }
            }
            if (failed.isEmpty()) {
                pump();
                return;
            }
            KubeEventObserved first = failed.peekFirst();
            int failures = failed.size();
            while (!failed.isEmpty()) {
                queue.addFirst(failed.pollLast());
            }
            LOG.atWarn().addKeyValue("target", first.partitionKey())
                    .log("Events in {}: publishing {} of {} events (first: {}, resourceVersion {}) failed, retrying in "
                            + "{} ms: {}", where(), failures, batch.size(), first.uid(), first.resourceVersion(),
                            backoff.toMillis(), String.valueOf(cause));
            retryLater(this::pump);
        });
    }

    private void retrySync(String reason) {
        LOG.warn("Events in {}: {}; trying again in {} ms", where(), reason, backoff.toMillis());
        syncing = false;
        retryLater(() -> {
            if (!publishing && queue.isEmpty()) {
                sync();
            } else {
                needsSync = true;
                pump();
            }
        });
    }

    private void retryLater(Runnable action) {
        long delay = backoff.toMillis();
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        vertx.setTimer(delay, id -> context.runOnContext(v -> {
            if (active) {
                action.run();
            }
        }));
    }

    /** The event as the contract carries it. */
    KubeEventObserved observed(io.fabric8.kubernetes.api.model.Event event) {
        ObjectReference involved = event.getInvolvedObject() == null ? new ObjectReference() : event.getInvolvedObject();
        @SuppressWarnings("unchecked")
        Map<String, Object> object = client.getKubernetesSerialization().convertValue(event, Map.class);
        Instant lastSeenAt = instant(event.getLastTimestamp())
                .or(() -> Optional.ofNullable(event.getEventTime()).flatMap(time -> instant(time.getTime())))
                .or(() -> instant(event.getMetadata().getCreationTimestamp()))
                .orElse(null);
        Instant firstSeenAt = instant(event.getFirstTimestamp()).orElse(lastSeenAt);
        int count = event.getCount() != null ? event.getCount()
                : event.getSeries() != null && event.getSeries().getCount() != null ? event.getSeries().getCount() : 1;
        return new KubeEventObserved(event.getMetadata().getUid(),
                involved.getNamespace() == null ? "" : involved.getNamespace(),
                involved.getKind(), involved.getName(), event.getReason(), event.getMessage(), event.getType(), count,
                firstSeenAt, lastSeenAt, event.getMetadata().getResourceVersion(), object);
    }

    private static Optional<Instant> instant(String time) {
        if (time == null || time.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(time));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
