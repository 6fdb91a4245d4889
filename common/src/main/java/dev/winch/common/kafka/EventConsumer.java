package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a consumer group member that hands Winch events to an {@link EventHandler}, at least once, in order per
 * partition, and commits an offset only after its record was handled (or dead-lettered).
 *
 * <p>Why a poll thread of its own rather than the Vert.x Kafka read stream: the consumer must keep polling while
 * the handlers are busy (group membership, commit callbacks), and pause exactly the partitions it cannot take more
 * of. Here one thread owns the {@link KafkaConsumer}; records go to the Vert.x context in per-partition lanes; each
 * lane handles one record at a time, so two records with the same key are never handled concurrently.
 *
 * <ul>
 *   <li>Bounded in-flight work: when more than {@code maxInFlight} records are waiting, the assigned partitions
 *       are paused until the backlog falls to half.</li>
 *   <li>Bounded retries: a failed handler is retried with exponential backoff; after {@code maxAttempts}, or at
 *       once for a {@link PermanentFailure} or a record that is not a Winch CloudEvent, the record is written to
 *       {@code <topic>.dlq} with the reason in headers and the partition moves on. If the dead-letter write fails
 *       it is retried: the offset is never committed past a record that is neither handled nor dead-lettered.</li>
 *   <li>Graceful stop: stop polling, let in-flight records finish (up to a timeout), commit, close.</li>
 *   <li>Graceful hand-over: when a rebalance takes a partition away from a running member, the batch it is handling
 *       there is finished (up to {@link #REVOKE_GRACE}), no further batch of it is started, and what was handled is
 *       committed before the partition goes to its next owner. Without the wait the next owner would read the
 *       records from the last commit while this member still handles them: both would act on the same records,
 *       and out of order.</li>
 * </ul>
 */
public final class EventConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(EventConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    private static final Duration TOPIC_ID_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long a running member whose partitions are taken away waits for their batches in hand before it lets them
     * go (the rebalance waits for it meanwhile). Well below the rebalance timeout ({@code max.poll.interval.ms}, five
     * minutes by default); a batch still running after it (one in long retries) goes on while the next owner starts.
     */
    static final Duration REVOKE_GRACE = Duration.ofSeconds(15);

    /** How a consumer is run. */
    public record Settings(
            List<String> topics,
            String groupId,
            int maxInFlight,
            int maxAttempts,
            Duration backoff,
            Duration backoffMax,
            int maxBatch,
            boolean typesMatchTopics) {

        public Settings {
            topics = List.copyOf(topics);
            Objects.requireNonNull(groupId, "groupId");
            if (maxInFlight < 1 || maxAttempts < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("maxInFlight, maxAttempts and maxBatch must be positive");
            }
            if (backoff.toMillis() < 1 || backoffMax.compareTo(backoff) < 0) {
                throw new IllegalArgumentException("backoff must be at least 1 ms and not above backoffMax");
            }
        }

        /** Settings that take any Winch event on any topic. */
        public Settings(List<String> topics, String groupId, int maxInFlight, int maxAttempts, Duration backoff,
                Duration backoffMax, int maxBatch) {
            this(topics, groupId, maxInFlight, maxAttempts, backoff, backoffMax, maxBatch, false);
        }

        /** Settings for one event at a time. */
        public Settings(List<String> topics, String groupId, int maxInFlight, int maxAttempts, Duration backoff,
                Duration backoffMax) {
            this(topics, groupId, maxInFlight, maxAttempts, backoff, backoffMax, 1);
        }
    }

    private final Vertx vertx;
    private final Settings settings;
    private final Map<String, Object> kafkaConfig;
    /** Kafka's id of each subscribed topic, learnt on the poll thread at every assignment. */
    private final Map<String, String> topicIds = new ConcurrentHashMap<>();
    private final EventCodec codec;
    private final BatchEventHandler handler;
    private final EventPublisher deadLetters;
    private final MeterRegistry registry;

    // Shared between the poll thread and the event loop.
    private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    /** Partitions being taken away: no further batch of them starts. */
    private final Set<TopicPartition> revoking = ConcurrentHashMap.newKeySet();
    /** Partitions whose lane is handling a batch; the monitor the poll thread waits on at a revocation. */
    private final Set<TopicPartition> busy = new HashSet<>();
    private volatile boolean running;
    private volatile boolean closing;
    private volatile long drainDeadline;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread pollThread;
    private Promise<Void> stopped;

    // Event-loop state.
    private Context context;
    private final Map<TopicPartition, Lane> lanes = new HashMap<>();

    public EventConsumer(Vertx vertx, Settings settings, Map<String, Object> kafkaConfig, EventCodec codec,
            EventHandler handler, EventPublisher deadLetters, MeterRegistry registry) {
        this(vertx, settings, kafkaConfig, codec, BatchEventHandler.of(handler), deadLetters, registry);
        if (settings.maxBatch() != 1) {
            throw new IllegalArgumentException("a single-event handler needs maxBatch = 1");
        }
    }

    /** A consumer whose handler gets up to {@code settings.maxBatch()} waiting events of a partition at once. */
    public static EventConsumer batching(Vertx vertx, Settings settings, Map<String, Object> kafkaConfig,
            EventCodec codec, BatchEventHandler handler, EventPublisher deadLetters, MeterRegistry registry) {
        return new EventConsumer(vertx, settings, kafkaConfig, codec, handler, deadLetters, registry);
    }

    private EventConsumer(Vertx vertx, Settings settings, Map<String, Object> kafkaConfig, EventCodec codec,
            BatchEventHandler handler, EventPublisher deadLetters, MeterRegistry registry) {
        this.vertx = vertx;
        this.settings = settings;
        this.kafkaConfig = new HashMap<>(kafkaConfig);
        this.kafkaConfig.put("max.poll.records", String.valueOf(Math.min(200, settings.maxInFlight())));
        this.codec = codec;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.registry = registry;
        Gauge.builder("winch_consumer_in_flight", inFlight, AtomicInteger::get)
                .tag("group", settings.groupId())
                .register(registry);
    }

    /**
     * Subscribes and starts polling. Handlers run on the calling context (a verticle's, or a new one).
     * Completes once the consumer has subscribed.
     */
    public Future<Void> start() {
        if (running) {
            return Future.failedFuture(new IllegalStateException("already started"));
        }
        context = vertx.getOrCreateContext();
        running = true;
        Promise<Void> subscribed = Promise.promise();
        stopped = Promise.promise();
        pollThread = new Thread(() -> pollLoop(subscribed), "winch-consumer-" + settings.groupId());
        pollThread.setDaemon(true);
        pollThread.start();
        return subscribed.future();
    }

    /** True once the group has given this member at least one partition. */
    public boolean hasAssignment() {
        return !assigned.isEmpty();
    }

    /** The context handlers run on (null before {@link #start()}). */
    public Context context() {
        return context;
    }

    /** Whether the group has given this member {@code partition} of {@code topic} (now). */
    public boolean owns(String topic, int partition) {
        return assigned.contains(new TopicPartition(topic, partition));
    }

    /** Records handed to handlers and not yet completed. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Stops polling, waits for in-flight records (at most {@code timeout}), commits what was handled and closes.
     * Records not handled by then are redelivered to the next owner of their partition.
     */
    public Future<Void> stop(Duration timeout) {
        if (!running) {
            return Future.succeededFuture();
        }
        drainDeadline = System.nanoTime() + timeout.toNanos();
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (context != null) {
            context.runOnContext(v -> {
                closing = true;
                lanes.values().forEach(this::dropWaiting);
            });
        }
        return stopped.future();
    }

    // ---------------------------------------------------------------- poll thread

    private void pollLoop(Promise<Void> subscribed) {
        boolean paused = false;
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafkaConfig)) {
            consumer = c;
            c.subscribe(settings.topics(), new Rebalance(c));
            subscribed.tryComplete();
            while (running) {
                commitCompleted(c, false);
                paused = applyBackpressure(c, paused);
                ConsumerRecords<String, byte[]> records;
                try {
                    records = c.poll(POLL_TIMEOUT);
                } catch (WakeupException e) {
                    break;
                }
                for (TopicPartition tp : records.partitions()) {
                    List<ConsumerRecord<String, byte[]>> batch = records.records(tp);
                    inFlight.addAndGet(batch.size());
                    context.runOnContext(v -> accept(tp, batch));
                }
            }
            drain(c);
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("group", settings.groupId()).setCause(e)
                    .log("Kafka consumer stopped on an unexpected error");
            subscribed.tryFail(e);
        } finally {
            consumer = null;
            running = false;
            stopped.tryComplete();
        }
    }

    /**
     * Asks the cluster for the ids of the assigned partitions' topics, at every assignment (a topic deleted and
     * created again gets a new id). On the poll thread, bounded: a worker that records offsets names the topic id
     * with them, so offsets of a topic's former life are never taken for this one's. When the ids cannot be had,
     * the positions carry none and such a worker falls back to what it records without them.
     */
    private void learnTopicIds(Collection<TopicPartition> partitions) {
        Set<String> topics = new HashSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        if (topics.isEmpty()) {
            return;
        }
        Map<String, Object> adminConfig = new HashMap<>();
        kafkaConfig.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key) && !key.equals(AdminClientConfig.CLIENT_ID_CONFIG)) {
                adminConfig.put(key, value);
            }
        });
        try (Admin admin = Admin.create(adminConfig)) {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(TOPIC_ID_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            described.forEach((topic, description) -> topicIds.put(topic, description.topicId().toString()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            topics.forEach(topicIds::remove);
            LOG.atWarn().addKeyValue("group", settings.groupId())
                    .log("Could not learn the ids of topics {}: {}; their records carry no topic id", topics,
                            e.toString());
        }
    }

    /** Shutdown: take no more records, let in-flight ones finish (bounded), commit them. */
    private void drain(KafkaConsumer<String, byte[]> c) {
        c.pause(c.assignment());
        while (inFlight.get() > 0 && System.nanoTime() < drainDeadline) {
            commitCompleted(c, false);
            try {
                c.poll(Duration.ofMillis(20));
            } catch (WakeupException ignored) {
                // stop() may wake the consumer once more; keep draining
            }
        }
        if (inFlight.get() > 0) {
            LOG.atWarn().addKeyValue("group", settings.groupId()).addKeyValue("inFlight", inFlight.get())
                    .log("Shutdown timeout reached; unfinished records will be redelivered");
        }
        commitCompleted(c, true);
    }

    private boolean applyBackpressure(KafkaConsumer<String, byte[]> c, boolean paused) {
        int waiting = inFlight.get();
        if (!paused && waiting >= settings.maxInFlight()) {
            c.pause(c.assignment());
            return true;
        }
        if (paused && waiting <= settings.maxInFlight() / 2) {
            c.resume(c.paused());
            return false;
        }
        if (paused) {
            // partitions assigned since the pause must not deliver either
            c.pause(c.assignment());
        }
        return paused;
    }

    private void commitCompleted(KafkaConsumer<String, byte[]> c, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Completion done;
        while ((done = completions.poll()) != null) {
            if (assigned.contains(done.partition())) {
                offsets.merge(done.partition(), new OffsetAndMetadata(done.nextOffset()),
                        (a, b) -> a.offset() >= b.offset() ? a : b);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            try {
                commitSyncThroughWakeup(c, offsets);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("group", settings.groupId()).setCause(e)
                        .log("Final offset commit failed; the records will be redelivered");
            }
        } else {
            c.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    LOG.atWarn().addKeyValue("group", settings.groupId())
                            .log("Offset commit failed ({}); the records will be redelivered", error.toString());
                }
            });
        }
    }

    /** A pending wakeup from stop() fires once, in whatever call comes next: let it not cost the final commit. */
    private static void commitSyncThroughWakeup(KafkaConsumer<String, byte[]> c,
            Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            c.commitSync(offsets);
        } catch (WakeupException e) {
            c.commitSync(offsets);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;

        Rebalance(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // A member leaving (stop) has drained already, within its own timeout: it does not wait again here.
            if (running) {
                revoking.addAll(partitions);
                awaitIdle(partitions, REVOKE_GRACE);
            }
            commitCompleted(c, true);
            release(partitions);
            revoking.removeAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            learnTopicIds(partitions);
            assigned.addAll(partitions);
            LOG.atInfo().addKeyValue("group", settings.groupId()).log("Assigned {}", partitions);
        }

        /** Waits (on the poll thread, bounded) until no batch of {@code partitions} is being handled. */
        private void awaitIdle(Collection<TopicPartition> partitions, Duration grace) {
            long deadline = System.nanoTime() + grace.toNanos();
            synchronized (busy) {
                try {
                    while (partitions.stream().anyMatch(busy::contains)) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            LOG.atWarn().addKeyValue("group", settings.groupId()).log("Partitions {} still busy "
                                    + "after {}; their next owner may handle those records again", partitions, grace);
                            return;
                        }
                        busy.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void release(Collection<TopicPartition> partitions) {
            assigned.removeAll(partitions);
            Set<TopicPartition> revoked = new HashSet<>(partitions);
            // Records fetched but not started belong to the next owner now; it reads them from the committed offset.
            context.runOnContext(v -> revoked.forEach(tp -> {
                Lane lane = lanes.get(tp);
                if (lane != null) {
                    dropWaiting(lane);
                }
            }));
        }
    }

    // ---------------------------------------------------------------- event loop

    private void accept(TopicPartition tp, List<ConsumerRecord<String, byte[]>> batch) {
        Lane lane = lanes.computeIfAbsent(tp, Lane::new);
        if (closing || !assigned.contains(tp)) {
            inFlight.addAndGet(-batch.size());
            return;
        }
        lane.waiting.addAll(batch);
        if (!lane.busy) {
            next(lane);
        }
    }

    private void dropWaiting(Lane lane) {
        inFlight.addAndGet(-lane.waiting.size());
        lane.waiting.clear();
    }

    private void next(Lane lane) {
        if (revoking.contains(lane.partition)) {
            dropWaiting(lane); // the next owner reads them from the committed offset
        }
        if (closing || lane.waiting.isEmpty()) {
            lane.busy = false;
            synchronized (busy) {
                busy.remove(lane.partition);
                busy.notifyAll();
            }
            return;
        }
        lane.busy = true;
        synchronized (busy) {
            busy.add(lane.partition);
        }
        List<ConsumerRecord<String, byte[]>> batch = new java.util.ArrayList<>();
        while (batch.size() < settings.maxBatch() && !lane.waiting.isEmpty()) {
            batch.add(lane.waiting.poll());
        }
        ConsumerRecord<String, byte[]> last = batch.get(batch.size() - 1);
        process(batch).onComplete(ar -> {
            // process() fails only when the consumer is closing: the records stay uncommitted and are redelivered
            if (ar.failed()) {
                LOG.atInfo().log("Record(s) up to {} left for redelivery on shutdown ({})", coordinates(last),
                        ar.cause().toString());
            } else {
                completions.add(new Completion(lane.partition, last.offset() + 1));
            }
            inFlight.addAndGet(-batch.size());
            next(lane);
        });
    }

    /**
     * Handles a batch in offset order: each run of Winch events goes to the handler, each record that is not one
     * goes to the dead-letter topic where it stands.
     */
    private Future<Void> process(List<ConsumerRecord<String, byte[]>> records) {
        Future<Void> chain = Future.succeededFuture();
        List<ConsumerRecord<String, byte[]>> runRecords = new java.util.ArrayList<>();
        List<Event<?>> runEvents = new java.util.ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                runEvents.add(onItsTopic(codec.fromRecord(record), record));
                runRecords.add(record);
            } catch (EventDecodingException e) {
                chain = flush(chain, runRecords, runEvents);
                runRecords = new java.util.ArrayList<>();
                runEvents = new java.util.ArrayList<>();
                LOG.atWarn().addKeyValue("topic", record.topic()).addKeyValue("offset", record.offset())
                        .log("Undecodable record ({}): sending it to the dead-letter topic", e.getMessage());
                chain = chain.compose(v -> deadLetter(record, e, 1));
            }
        }
        return flush(chain, runRecords, runEvents);
    }

    /**
     * With {@code typesMatchTopics}, an event on a Winch topic whose type belongs on another is poison here like an
     * undecodable record: no handler of this topic can use it, so it goes to the dead-letter topic at once.
     */
    private Event<?> onItsTopic(Event<?> event, ConsumerRecord<String, byte[]> record) throws EventDecodingException {
        if (settings.typesMatchTopics() && Topics.EVENT_TOPICS.contains(record.topic())
                && !event.type().topic().equals(record.topic())) {
            throw new EventDecodingException(EventDecodingException.Reason.WRONG_TOPIC, "event " + event.id()
                    + " of type " + event.type().type() + " belongs on " + event.type().topic() + ", not on "
                    + record.topic(), null);
        }
        return event;
    }

    private Future<Void> flush(Future<Void> chain, List<ConsumerRecord<String, byte[]>> records,
            List<Event<?>> events) {
        return events.isEmpty() ? chain : chain.compose(v -> attempt(records, events, 1));
    }

    private Future<Void> attempt(List<ConsumerRecord<String, byte[]>> records, List<Event<?>> events, int attempt) {
        Future<Void> handled;
        try {
            List<RecordPosition> positions = records.stream()
                    .map(r -> new RecordPosition(r.topic(), topicIds.get(r.topic()), r.partition(), r.offset()))
                    .toList();
            handled = Objects.requireNonNull(handler.handle(events, positions), "handler returned null");
        } catch (RuntimeException e) {
            handled = Future.failedFuture(e);
        }
        String topic = records.get(0).topic();
        Event<?> first = events.get(0);
        return handled
                .onSuccess(v -> count(topic, "handled", records.size()))
                .recover(error -> {
                    if (closing) {
                        // not committed: the next owner of the partition gets them again
                        return Future.failedFuture(error);
                    }
                    if (error instanceof PermanentFailure || attempt >= settings.maxAttempts()) {
                        LOG.atWarn().addKeyValue("eventId", first.id()).addKeyValue("target", first.key())
                                .log("Giving up on {} event(s) after {} attempt(s): {}", events.size(), attempt,
                                        error.toString());
                        Future<Void> all = Future.succeededFuture();
                        for (ConsumerRecord<String, byte[]> record : records) {
                            all = all.compose(v -> deadLetter(record, error, attempt));
                        }
                        return all;
                    }
                    long delay = backoff(attempt);
                    LOG.atWarn().addKeyValue("eventId", first.id()).addKeyValue("target", first.key())
                            .log("Attempt {} failed ({}); retrying in {} ms", attempt, error.toString(), delay);
                    registry.counter("winch_consumer_retries_total", "topic", topic).increment();
                    return vertx.timer(delay, TimeUnit.MILLISECONDS)
                            .compose(v -> attempt(records, events, attempt + 1));
                });
    }

    long backoff(int attempt) {
        long base = settings.backoff().toMillis();
        long max = settings.backoffMax().toMillis();
        long delay = base << Math.min(attempt - 1, 20);
        return Math.min(delay <= 0 ? max : delay, max);
    }

    private Future<Void> deadLetter(ConsumerRecord<String, byte[]> record, Throwable error, int attempts) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        header(headers, DeadLetterHeaders.REASON, oneLine(error.getMessage() == null ? error.toString() : error.getMessage()));
        header(headers, DeadLetterHeaders.EXCEPTION, error.getClass().getName());
        header(headers, DeadLetterHeaders.ATTEMPTS, String.valueOf(attempts));
        header(headers, DeadLetterHeaders.ORIGINAL_TOPIC, record.topic());
        header(headers, DeadLetterHeaders.ORIGINAL_PARTITION, String.valueOf(record.partition()));
        header(headers, DeadLetterHeaders.ORIGINAL_OFFSET, String.valueOf(record.offset()));
        header(headers, DeadLetterHeaders.GROUP, settings.groupId());
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(
                Topics.deadLetter(record.topic()), null, record.key(), record.value(), headers);
        return sendDeadLetter(out, record, 1);
    }

    private Future<Void> sendDeadLetter(ProducerRecord<String, byte[]> out, ConsumerRecord<String, byte[]> record,
            int attempt) {
        return deadLetters.send(out).<Void>mapEmpty()
                .onSuccess(v -> count(record.topic(), "dead_lettered", 1))
                .recover(error -> {
                    if (closing) {
                        return Future.failedFuture(error);
                    }
                    long delay = backoff(attempt);
                    LOG.atError().addKeyValue("topic", out.topic())
                            .log("Dead-letter write failed ({}); retrying in {} ms", error.toString(), delay);
                    return vertx.timer(delay, TimeUnit.MILLISECONDS)
                            .compose(v -> sendDeadLetter(out, record, attempt + 1));
                });
    }

    private void count(String topic, String outcome, int records) {
        Counter.builder("winch_consumer_records_total")
                .tag("topic", topic).tag("outcome", outcome)
                .register(registry).increment(records);
    }

    private static void header(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() > 500 ? line.substring(0, 500) : line;
    }

    private static String coordinates(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private record Completion(TopicPartition partition, long nextOffset) {
    }

    private static final class Lane {
        final TopicPartition partition;
        final ArrayDeque<ConsumerRecord<String, byte[]>> waiting = new ArrayDeque<>();
        boolean busy;

        Lane(TopicPartition partition) {
            this.partition = partition;
        }
    }
}
