package dev.winch.notifier.delivery;

import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Event;
import dev.winch.common.event.Topics;
import dev.winch.common.kafka.DeadLetterHeaders;
import dev.winch.common.kafka.EventConsumer;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.kafka.EventPublisher;
import dev.winch.common.kafka.RecordPosition;
import dev.winch.notifier.channel.Channel;
import dev.winch.notifier.channel.Delivery;
import dev.winch.notifier.channel.Notification;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one channel's share of a topic: the batches its own consumer group hands over, one partition's batch at
 * a time, in offset order. For each batch: leave out what is not routed here or already done
 * ({@link DeliveredLog}); take what the rate limit gives now and plan the messages ({@link DeliveryPlan}: singles,
 * then one digest for the rest); send each with retries ({@link RetryPolicy}); dead-letter what is refused or given
 * up on; record the mark; only then does the batch complete, and its offsets get committed.
 */
public final class ChannelWorker {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelWorker.class);
    /** How often held messages are looked at for one that is due (and owned here). */
    static final long FOLD_SCAN_MS = 250;

    private final Vertx vertx;
    private final Channel channel;
    private final NotificationSource source;
    private final DeliveredLog log;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final DeliverySettings settings;
    private final AtomicRateLimiter limiter;
    private final Clock clock;
    private final String group;
    private final MeterRegistry registry;
    private final Timer latency;
    private volatile boolean stopping;
    /** The consumer's context, where every batch is handled. */
    private volatile Context context;
    private volatile EventConsumer consumer;
    private long foldTimer = -1;
    /** Held messages being delivered now (their fold record keys), on the consumer's context. */
    private final Set<DeliveredLog.Fold> releasing = new HashSet<>();

    public ChannelWorker(Vertx vertx, Channel channel, NotificationSource source, DeliveredLog log,
            EventPublisher publisher, EventCodec codec, DeliverySettings settings, Clock clock, String group,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.channel = channel;
        this.source = source;
        this.log = log;
        this.publisher = publisher;
        this.codec = codec;
        this.settings = settings;
        this.limiter = settings.rateLimiter(channel.name(), channel.messagesPerMinute());
        this.clock = clock;
        this.group = group;
        this.registry = registry;
        this.latency = Timer.builder("winch_notification_delivery_latency")
                .description("from a result's publication to its delivery to the channel")
                .tag("channel", channel.name()).register(registry);
    }

    public Channel channel() {
        return channel;
    }

    /**
     * New attempts and waits stop; what is unfinished is left for redelivery. Call it after the consumer was told
     * to stop: the flag is set on the consumer's context, behind the consumer's own "closing", so a batch this
     * cuts short is taken as unfinished (redelivered) and never as failed (retried, then dead-lettered).
     */
    public void stop() {
        Context c = context;
        if (c == null) {
            stopping = true;
        } else {
            c.runOnContext(v -> {
                stopping = true;
                if (foldTimer >= 0) {
                    vertx.cancelTimer(foldTimer);
                }
            });
        }
    }

    /**
     * The channel's consumer has started; from any thread. From now on, messages held back (by this replica
     * or, before a restart or rebalance, by another) are delivered when due, by the replica whose consumer owns the
     * partition they were read from.
     */
    public void started(EventConsumer started) {
        Context on = started.context();
        on.runOnContext(v -> {
            consumer = started;
            if (context == null) {
                context = on;
            }
            if (!stopping && foldTimer < 0) {
                foldTimer = vertx.setPeriodic(FOLD_SCAN_MS, id -> releaseDue());
            }
        });
    }

    /** One partition's waiting events; completes when each is delivered, dead-lettered or not this channel's. */
    public Future<Void> handle(List<Event<?>> events, List<RecordPosition> positions) {
        if (context == null) {
            context = Vertx.currentContext();
        }
        List<Item> pending = new ArrayList<>();
        Map<String, DeliveredLog.Fold> held = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            Event<?> event = events.get(i);
            if (!source.selects(event, channel.name())) {
                continue;
            }
            String deliveryId = source.deliveryId(event);
            if (log.done(channel.name(), positions.get(i), deliveryId) || !seen.add(deliveryId)) {
                LOG.atInfo().addKeyValue("channel", channel.name()).addKeyValue("resultId", event.id())
                        .addKeyValue("target", event.key())
                        .log("Already delivered to {}: not sending it again", channel.name());
                count("duplicate", 1);
                continue;
            }
            NotificationSource.Admission admission = source.admit(event, channel.name(), key -> heldNow(held, key));
            if (admission instanceof NotificationSource.Admission.Hold hold) {
                DeliveredLog.Fold fold = fold(event, positions.get(i), hold);
                held.put(fold.key() + "|" + fold.due(), fold);
                continue;
            }
            if (admission instanceof NotificationSource.Admission.Covered) {
                count("duplicate", 1);
                continue;
            }
            pending.add(new Item(event, positions.get(i)));
        }
        // What is held back is in Kafka before anything after it is marked and the batch's offsets committed.
        Future<Void> holding = Future.succeededFuture();
        for (DeliveredLog.Fold fold : held.values()) {
            holding = holding.compose(v -> persist(() -> log.hold(fold), "held message", 1));
        }
        if (pending.isEmpty()) {
            return holding;
        }
        return holding.compose(h -> permits(pending.size())).compose(permits -> {
            // Messages go out one after another (a partition's order); the record of each (its mark, its dead
            // letters) is written while the next is sent, and the batch completes once all of them are stored.
            List<Future<Void>> records = new ArrayList<>();
            Future<Void> chain = Future.succeededFuture();
            for (DeliveryPlan.Message message : DeliveryPlan.fold(pending.size(), permits)) {
                List<Item> items = pending.subList(message.from(), message.to());
                chain = chain.compose(v -> deliver(items).map(recorded -> {
                    records.add(recorded);
                    return null;
                }));
            }
            return chain.compose(v -> Future.all(records)).mapEmpty();
        });
    }

    /** The held message of {@code key}: one held earlier in this batch, else one kept in Kafka. */
    private Optional<NotificationSource.Held> heldNow(Map<String, DeliveredLog.Fold> inBatch, String key) {
        Optional<DeliveredLog.Fold> fold = inBatch.values().stream().filter(f -> f.key().equals(key))
                .max(java.util.Comparator.comparingLong(DeliveredLog.Fold::due))
                .or(() -> log.fold(channel.name(), key));
        return fold.flatMap(f -> decode(f).map(event -> new NotificationSource.Held(event,
                Instant.ofEpochMilli(f.due()))));
    }

    private DeliveredLog.Fold fold(Event<?> event, RecordPosition position, NotificationSource.Admission.Hold hold) {
        ProducerRecord<String, byte[]> record = codec.toRecord(position.topic(), event);
        Map<String, String> headers = new HashMap<>();
        record.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        return new DeliveredLog.Fold(channel.name(), hold.key(), hold.due().toEpochMilli(), position.topic(),
                position.topicId(), position.partition(), position.offset(), headers,
                new String(record.value(), StandardCharsets.UTF_8));
    }

    private Optional<Event<?>> decode(DeliveredLog.Fold fold) {
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        fold.headers().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            return Optional.of(codec.fromHeaders(headers, fold.value().getBytes(StandardCharsets.UTF_8)));
        } catch (EventDecodingException e) {
            LOG.atWarn().addKeyValue("channel", channel.name())
                    .log("Dropping an unreadable held message of {}: {}", channel.name(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Delivers the held messages that are due and read from a partition this replica's consumer owns, each through
     * the same path as any message (rate limit, retries, dead letter, mark), then forgets it. One already delivered
     * (a crash between its mark and its release) is only forgotten.
     */
    private void releaseDue() {
        EventConsumer owner = consumer;
        if (stopping || owner == null) {
            return;
        }
        long now = clock.millis();
        for (DeliveredLog.Fold fold : log.folds(channel.name())) {
            if (fold.due() > now) {
                break;
            }
            if (releasing.contains(fold) || !owner.owns(fold.topic(), fold.partition())) {
                continue;
            }
            Optional<Event<?>> decoded = decode(fold);
            releasing.add(fold);
            Future<Void> done;
            if (decoded.isEmpty()) {
                done = Future.succeededFuture();
            } else if (log.delivered(channel.name(), source.deliveryId(decoded.get()))
                    || !source.stillHeld(decoded.get(), channel.name())) {
                done = Future.succeededFuture();
            } else {
                Event<?> event = decoded.get();
                source.releasing(event, channel.name());
                Item item = new Item(event, fold.position());
                done = permits(1).compose(p -> deliver(List.of(item))).compose(recorded -> recorded);
            }
            done.compose(v -> persist(() -> log.release(fold), "release of a held message", 1))
                    .onComplete(ar -> releasing.remove(fold));
        }
    }

    /** Up to {@code wanted} permits now; when there is none, waits for the next one. */
    private Future<Integer> permits(int wanted) {
        int permits = 0;
        while (permits < wanted && limiter.acquirePermission()) {
            permits++;
        }
        if (permits > 0) {
            return Future.succeededFuture(permits);
        }
        if (stopping) {
            return Future.failedFuture("stopping");
        }
        long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(limiter.getDetailedMetrics().getNanosToWait()));
        return vertx.timer(wait, TimeUnit.MILLISECONDS).compose(v -> permits(wanted));
    }

    /** Sends one message; completes once it is sent or given up, with the write that records it. */
    private Future<Future<Void>> deliver(List<Item> items) {
        List<Event<?>> events = items.stream().<Event<?>>map(Item::event).toList();
        Notification notification = items.size() == 1 ? source.single(events.get(0))
                : source.digest(events, settings.window());
        if (items.size() > 1) {
            registry.counter("winch_notification_digests_total", "channel", channel.name()).increment();
        }
        return attempt(notification, 1, System.nanoTime())
                .compose(outcome -> {
                    if (!(outcome instanceof Delivery.Delivered)) {
                        String reason = outcome instanceof Delivery.Rejected rejected ? "refused: " + rejected.reason()
                                : ((Delivery.Retry) outcome).reason();
                        return Future.succeededFuture(deadLetter(items, reason).compose(v -> mark(items)));
                    }
                    Item first = items.get(0);
                    LOG.atInfo().addKeyValue("channel", channel.name()).addKeyValue("resultId", first.event().id())
                            .addKeyValue("target", first.event().key())
                            .log("Delivered {} to {}", items.size() == 1 ? "1 result"
                                    : "a digest of " + items.size() + " results", channel.name());
                    count("delivered", items.size());
                    long now = clock.millis();
                    items.forEach(item -> latency.record(
                            Math.max(0, now - item.event().time().toEpochMilli()), TimeUnit.MILLISECONDS));
                    return Future.succeededFuture(mark(items));
                });
    }

    /** Tries until delivered, refused or given up (a Retry then, with the last reason). */
    private Future<Delivery> attempt(Notification notification, int attempt, long started) {
        return sendOnce(notification).compose(delivery -> {
            if (!(delivery instanceof Delivery.Retry retry)) {
                return Future.succeededFuture(delivery);
            }
            if (stopping) {
                return Future.failedFuture("stopping; left for redelivery");
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            var next = settings.retry().nextDelay(attempt, elapsed, retry.retryAfter(),
                    () -> ThreadLocalRandom.current().nextDouble());
            if (next.isEmpty()) {
                return Future.succeededFuture(new Delivery.Retry("gave up after " + attempt + " attempt(s) in "
                        + elapsed.toMillis() + " ms: " + retry.reason(), null));
            }
            registry.counter("winch_notification_retries_total", "channel", channel.name()).increment();
            LOG.atWarn().addKeyValue("channel", channel.name())
                    .log("Attempt {} to {} failed ({}); trying again in {} ms", attempt, channel.name(),
                            retry.reason(), next.get().toMillis());
            return vertx.timer(next.get().toMillis(), TimeUnit.MILLISECONDS)
                    .compose(v -> attempt(notification, attempt + 1, started));
        });
    }

    /** One call to the channel, bounded: a channel that never answers counts as a failed attempt. */
    private Future<Delivery> sendOnce(Notification notification) {
        Promise<Delivery> answer = Promise.promise();
        long timeout = settings.attemptTimeout().toMillis();
        long timer = vertx.setTimer(timeout,
                id -> answer.tryComplete(new Delivery.Retry("no answer within " + timeout + " ms", null)));
        Future<Delivery> sent;
        try {
            sent = channel.send(notification);
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        // Back on this worker's context whatever thread the channel answers on: the limiter, the marks and the
        // order of a partition's messages are this context's.
        Context here = Vertx.currentContext();
        sent.onComplete(ar -> {
            Delivery delivery = ar.succeeded() && ar.result() != null ? ar.result()
                    : new Delivery.Retry(ar.succeeded() ? "no delivery status"
                            : String.valueOf(ar.cause().getMessage()), null);
            if (here == null || Vertx.currentContext() == here) {
                vertx.cancelTimer(timer);
                answer.tryComplete(delivery);
            } else {
                try {
                    here.runOnContext(v -> {
                        vertx.cancelTimer(timer);
                        answer.tryComplete(delivery);
                    });
                } catch (RejectedExecutionException closed) {
                    // the notifier has stopped: nobody waits for this answer, the result is redelivered
                }
            }
        });
        return answer.future();
    }

    private Future<Void> deadLetter(List<Item> items, String reason) {
        Item first = items.get(0);
        LOG.atWarn().addKeyValue("channel", channel.name()).addKeyValue("resultId", first.event().id())
                .addKeyValue("target", first.event().key())
                .log("Not delivered to {}: {}; {} result(s) go to {}", channel.name(), reason, items.size(),
                        Topics.NOTIFICATIONS_DLQ);
        Future<Void> chain = Future.succeededFuture();
        for (Item item : items) {
            ProducerRecord<String, byte[]> record = codec.toRecord(Topics.NOTIFICATIONS_DLQ, item.event());
            header(record, DeadLetterHeaders.CHANNEL, channel.name());
            header(record, DeadLetterHeaders.REASON, oneLine(reason));
            header(record, DeadLetterHeaders.ORIGINAL_TOPIC, item.position().topic());
            header(record, DeadLetterHeaders.ORIGINAL_PARTITION, String.valueOf(item.position().partition()));
            header(record, DeadLetterHeaders.ORIGINAL_OFFSET, String.valueOf(item.position().offset()));
            header(record, DeadLetterHeaders.GROUP, group);
            chain = chain.compose(v -> persist(() -> publisher.send(record).mapEmpty(), "dead letter", 1));
        }
        return chain.onSuccess(v -> count("dead_lettered", items.size()));
    }

    private Future<Void> mark(List<Item> items) {
        RecordPosition last = items.get(items.size() - 1).position();
        List<String> ids = items.stream().map(item -> source.deliveryId(item.event())).toList();
        return persist(() -> log.record(channel.name(), last, ids), "delivery mark", 1);
    }

    /** A write to Kafka that must happen before the offset is committed: retried until it does, or stopping. */
    private Future<Void> persist(java.util.function.Supplier<Future<Void>> write, String what, int attempt) {
        return write.get().recover(error -> {
            if (stopping) {
                return Future.failedFuture(error);
            }
            long delay = Math.min(settings.retry().max().toMillis(), 100L << Math.min(attempt, 8));
            LOG.atError().addKeyValue("channel", channel.name())
                    .log("Writing the {} failed ({}); trying again in {} ms", what, error.toString(), delay);
            return vertx.timer(delay, TimeUnit.MILLISECONDS).compose(v -> persist(write, what, attempt + 1));
        });
    }

    private void count(String outcome, int results) {
        Counter.builder("winch_notifications_total").description("results per channel and what became of them")
                .tag("channel", channel.name()).tag("outcome", outcome)
                .register(registry).increment(results);
    }

    private static void header(ProducerRecord<String, byte[]> record, String key, String value) {
        record.headers().remove(key);
        record.headers().add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() > 500 ? line.substring(0, 500) : line;
    }

    private record Item(Event<?> event, RecordPosition position) {
    }
}
