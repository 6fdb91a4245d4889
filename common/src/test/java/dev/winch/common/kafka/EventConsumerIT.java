package dev.winch.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link EventConsumer} against a real broker: order, commits, retries, dead letters, redelivery, backpressure. */
@WithKafka
class EventConsumerIT {

    private static final Duration BACKOFF = Duration.ofMillis(10);
    private static final Duration BACKOFF_MAX = Duration.ofMillis(40);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Vertx vertx;
    private static KafkaBroker broker;
    private static Admin admin;

    private final EventCodec codec = new EventCodec();
    private final List<EventConsumer> consumers = new ArrayList<>();
    private MeterRegistry registry;
    private EventPublisher publisher;
    private String topic;
    private String group;

    @BeforeAll
    static void startVertx(KafkaBroker kafka) {
        broker = kafka;
        vertx = Vertx.vertx();
        admin = Admin.create(new HashMap<String, Object>(KafkaSettings.admin(broker.bootstrapServers())));
    }

    @AfterAll
    static void stopVertx() throws Exception {
        admin.close();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        publisher = new EventPublisher(vertx, KafkaSettings.producer(broker.bootstrapServers(), "it-publisher"), codec,
                registry);
        topic = KafkaBrokerExtension.uniqueName("it-consumer");
        group = KafkaBrokerExtension.uniqueName("it-group");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (EventConsumer consumer : consumers) {
            consumer.stop(Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
        }
        publisher.close().await(10, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ (a) order and commits

    @Test
    void handlesEventsInPartitionOrderAndCommitsThemOnceHandled() throws Exception {
        broker.createTopic(topic, 3);
        List<String> workloads = List.of("web", "api", "worker", "cron");
        List<Event<?>> published = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            for (String workload : workloads) {
                published.add(scale(workload + "-" + i, workload));
            }
        }
        Map<String, List<String>> handledByKey = new ConcurrentHashMap<>();
        AtomicInteger handled = new AtomicInteger();
        EventConsumer first = start(64, 3, event -> {
            // an uneven, asynchronous handler: a runner without per-partition lanes would reorder
            long delay = 1 + (event.id().hashCode() & 3);
            return vertx.timer(delay, TimeUnit.MILLISECONDS).<Void>mapEmpty().onSuccess(v -> {
                handledByKey.computeIfAbsent(event.key(), k -> new CopyOnWriteArrayList<>()).add(event.id());
                handled.incrementAndGet();
            });
        });

        publishAll(published);

        await().atMost(WAIT).untilAsserted(() -> assertThat(handled).hasValue(published.size()));
        for (String workload : workloads) {
            String key = new WorkloadRef("shop", "deployment", workload).key();
            assertThat(handledByKey.get(key)).as(key).containsExactlyElementsOf(published.stream()
                    .filter(e -> e.key().equals(key)).map(Event::id).toList());
        }
        first.stop(Duration.ofSeconds(5)).await(10, TimeUnit.SECONDS);
        assertThat(committedTotal(group)).isEqualTo(published.size());
        assertThat(first.inFlight()).isZero();

        List<String> seenBySecond = new CopyOnWriteArrayList<>();
        start(64, 3, event -> {
            seenBySecond.add(event.id());
            return Future.succeededFuture();
        });
        publishAll(List.of(scale("web-after-restart", "web")));

        await().atMost(WAIT).untilAsserted(() -> assertThat(seenBySecond).contains("web-after-restart"));
        assertThat(seenBySecond).containsExactly("web-after-restart");
    }

    // ------------------------------------------------------------------ (b) undecodable records

    @Test
    void sendsAnUndecodableRecordToTheDeadLetterTopicAndHandlesTheNextOne() throws Exception {
        broker.createTopic(topic, 1);
        broker.createTopic(Topics.deadLetter(topic), 1);
        byte[] garbage = "{\"hello\": \"not a cloud event\"}".getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(new HashMap<String, Object>(
                KafkaSettings.producer(broker.bootstrapServers(), "it-raw")))) {
            raw.send(new ProducerRecord<>(topic, "shop/deployment/web", garbage)).get(10, TimeUnit.SECONDS);
        }
        publishAll(List.of(scale("after-garbage", "web")));
        List<String> handled = new CopyOnWriteArrayList<>();

        start(16, 3, event -> {
            handled.add(event.id());
            return Future.succeededFuture();
        });

        await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly("after-garbage"));
        ConsumerRecord<String, byte[]> dead = readAll(Topics.deadLetter(topic), 1).get(0);
        assertThat(dead.key()).isEqualTo("shop/deployment/web");
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, DeadLetterHeaders.REASON)).containsIgnoringCase("CloudEvent");
        assertThat(header(dead, DeadLetterHeaders.EXCEPTION)).isEqualTo(EventDecodingException.class.getName());
        assertThat(header(dead, DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
        assertThat(header(dead, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
        assertThat(header(dead, DeadLetterHeaders.ORIGINAL_PARTITION)).isEqualTo("0");
        assertThat(header(dead, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("0");
        assertThat(header(dead, DeadLetterHeaders.GROUP)).isEqualTo(group);
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(2));
        assertThat(count("winch_consumer_records_total", "outcome", "dead_lettered")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ (c) retries

    @Test
    void retriesAFailingHandlerUntilItSucceedsWithoutDeadLettering() throws Exception {
        broker.createTopic(topic, 1);
        broker.createTopic(Topics.deadLetter(topic), 1);
        AtomicInteger attempts = new AtomicInteger();
        List<String> handled = new CopyOnWriteArrayList<>();

        start(16, 5, event -> {
            int attempt = attempts.incrementAndGet();
            if (attempt == 1) {
                throw new IllegalStateException("kubernetes API timed out");
            }
            if (attempt == 2) {
                return Future.failedFuture(new IllegalStateException("409 Conflict on shop/deployment/web"));
            }
            handled.add(event.id());
            return Future.succeededFuture();
        });
        publishAll(List.of(scale("flaky", "web")));

        await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly("flaky"));
        assertThat(attempts).hasValue(3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(1));
        assertThat(endOffset(Topics.deadLetter(topic))).isZero();
        assertThat(count("winch_consumer_retries_total")).isEqualTo(2);
        assertThat(count("winch_consumer_records_total", "outcome", "handled")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ (d) retries exhausted

    @Test
    void deadLettersARecordAfterMaxAttemptsAndMovesOn() throws Exception {
        broker.createTopic(topic, 1);
        broker.createTopic(Topics.deadLetter(topic), 1);
        int maxAttempts = 3;
        AtomicInteger poisonAttempts = new AtomicInteger();
        List<String> handled = new CopyOnWriteArrayList<>();

        start(16, maxAttempts, event -> {
            if (event.id().equals("poison")) {
                poisonAttempts.incrementAndGet();
                return Future.failedFuture(new IllegalStateException("deployment shop/web: admission webhook denied"));
            }
            handled.add(event.id());
            return Future.succeededFuture();
        });
        publishAll(List.of(scale("poison", "web"), scale("healthy", "web")));

        await().atMost(WAIT).untilAsserted(() -> assertThat(handled).containsExactly("healthy"));
        assertThat(poisonAttempts).hasValue(maxAttempts);
        ConsumerRecord<String, byte[]> dead = readAll(Topics.deadLetter(topic), 1).get(0);
        assertThat(header(dead, DeadLetterHeaders.ATTEMPTS)).isEqualTo(String.valueOf(maxAttempts));
        assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("deployment shop/web: admission webhook denied");
        assertThat(header(dead, DeadLetterHeaders.EXCEPTION)).isEqualTo(IllegalStateException.class.getName());
        assertThat(header(dead, "ce_id")).as("original headers kept").isEqualTo("poison");
        assertThat(codec.fromRecord(dead).id()).isEqualTo("poison");
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(2));
    }

    // ------------------------------------------------------------------ (e) permanent failures

    @Test
    void deadLettersAPermanentFailureAtOnce() throws Exception {
        broker.createTopic(topic, 1);
        broker.createTopic(Topics.deadLetter(topic), 1);
        AtomicInteger attempts = new AtomicInteger();

        start(16, 5, event -> {
            attempts.incrementAndGet();
            return Future.failedFuture(new PermanentFailure("workload kind cronjob cannot be scaled"));
        });
        publishAll(List.of(scale("permanent", "web")));

        ConsumerRecord<String, byte[]> dead = readAll(Topics.deadLetter(topic), 1).get(0);
        assertThat(header(dead, DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
        assertThat(header(dead, DeadLetterHeaders.EXCEPTION)).isEqualTo(PermanentFailure.class.getName());
        assertThat(header(dead, DeadLetterHeaders.REASON)).isEqualTo("workload kind cronjob cannot be scaled");
        assertThat(attempts).hasValue(1);
        assertThat(count("winch_consumer_retries_total")).isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(1));
    }

    // ------------------------------------------------------------------ (f) redelivery

    @Test
    void redeliversARecordWhoseHandlerDidNotFinishBeforeStop() throws Exception {
        broker.createTopic(topic, 1);
        List<String> startedByFirst = new CopyOnWriteArrayList<>();
        EventConsumer first = start(16, 3, event -> {
            startedByFirst.add(event.id());
            return Promise.<Void>promise().future(); // still scaling when the pod is told to stop
        });
        publishAll(List.of(scale("interrupted", "web")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(startedByFirst).containsExactly("interrupted"));

        first.stop(Duration.ofMillis(300)).await(10, TimeUnit.SECONDS);

        assertThat(committedTotal(group)).isZero();
        List<String> handledBySecond = new CopyOnWriteArrayList<>();
        start(16, 3, event -> {
            handledBySecond.add(event.id());
            return Future.succeededFuture();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(handledBySecond).containsExactly("interrupted"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(1));
    }

    @Test
    void aPartitionTakenAwayFinishesTheRecordInHandBeforeItsNextOwnerReadsIt() throws Exception {
        broker.createTopic(topic, 1);
        Promise<Void> inHand = Promise.promise();
        List<String> handledByFirst = new CopyOnWriteArrayList<>();
        // the range assignor gives the one partition to the member whose id sorts first: the one joining later
        start("z-first", 16, 3, event -> {
            handledByFirst.add(event.id());
            return event.id().equals("in-hand") ? inHand.future() : Future.succeededFuture();
        });
        publishAll(List.of(scale("in-hand", "web")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(handledByFirst).containsExactly("in-hand"));

        List<String> handledBySecond = new CopyOnWriteArrayList<>();
        EventConsumer second = start("a-second", 16, 3, event -> {
            handledBySecond.add(event.id());
            return Future.succeededFuture();
        });
        // while the first member still handles its record, the partition does not move
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> handledBySecond.isEmpty() && !second.hasAssignment());

        inHand.complete();
        await().atMost(WAIT).until(second::hasAssignment);
        publishAll(List.of(scale("after", "web")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(handledBySecond).contains("after"));
        assertThat(handledBySecond).as("records the second member handled").containsExactly("after");
        assertThat(handledByFirst).containsExactly("in-hand");
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(2));
    }

    // ------------------------------------------------------------------ (g) backpressure

    @Test
    void givesEachRecordItsPositionWithTheTopicsIdAsKafkaKnowsIt() throws Exception {
        broker.createTopic(topic, 1);
        publishAll(List.of(scale("first", "web"), scale("second", "web")));
        List<RecordPosition> seen = new CopyOnWriteArrayList<>();
        EventConsumer consumer = EventConsumer.batching(vertx,
                new EventConsumer.Settings(List.of(topic), group, 16, 3, BACKOFF, BACKOFF_MAX, 10, false),
                KafkaSettings.consumer(broker.bootstrapServers(), group, group + "-batching"), codec,
                (events, positions) -> {
                    seen.addAll(positions);
                    return Future.succeededFuture();
                }, publisher, registry);
        consumers.add(consumer);
        consumer.start().await(10, TimeUnit.SECONDS);

        String topicId = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).topicId().toString();
        await().atMost(WAIT).untilAsserted(() -> assertThat(seen).containsExactly(
                new RecordPosition(topic, topicId, 0, 0), new RecordPosition(topic, topicId, 0, 1)));
        assertThat(seen.get(0).partitionEntry()).isEqualTo(topic + "/0@" + topicId);
    }

    @Test
    void handlesEachPartitionInItsOwnLaneAtTheSameTime() throws Exception {
        int partitions = 3;
        broker.createTopic(topic, partitions);
        // One waiting record per partition before the consumer starts: fewer than it may hold, so it takes them all.
        for (int partition = 0; partition < partitions; partition++) {
            ProducerRecord<String, byte[]> record = codec.toRecord(topic, scale("lane-" + partition, "web"));
            publisher.send(new ProducerRecord<>(record.topic(), partition, record.key(), record.value(),
                    record.headers())).await(30, TimeUnit.SECONDS);
        }
        Queue<Runnable> held = new ConcurrentLinkedQueue<>();
        EventConsumer consumer = start(4, 3, event -> {
            Context context = Vertx.currentContext();
            Promise<Void> done = Promise.promise();
            held.add(() -> context.runOnContext(v -> done.complete()));
            return done.future();
        });

        // No handler has finished, yet each partition's record is being handled: one lane per partition.
        await().atMost(WAIT).untilAsserted(() -> assertThat(held).hasSize(partitions));
        assertThat(consumer.inFlight()).isEqualTo(partitions);

        held.forEach(Runnable::run);
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(partitions));
    }

    @Test
    void boundsRecordsInFlightWhileHandlersAreSlow() throws Exception {
        int partitions = 3;
        broker.createTopic(topic, partitions);
        int maxInFlight = 4;
        // the runner polls at most min(200, maxInFlight) records at a time and pauses once maxInFlight are held
        int bound = maxInFlight + Math.min(200, maxInFlight);
        int total = 60;
        Queue<Runnable> held = new ConcurrentLinkedQueue<>();
        AtomicInteger heldNow = new AtomicInteger();
        AtomicInteger mostHeldAtOnce = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        EventConsumer consumer = start(maxInFlight, 3, event -> {
            Context context = Vertx.currentContext();
            Promise<Void> done = Promise.promise();
            mostHeldAtOnce.accumulateAndGet(heldNow.incrementAndGet(), Math::max);
            // completed on the consumer's context, as a real handler's Kubernetes call would be
            held.add(() -> context.runOnContext(v -> {
                heldNow.decrementAndGet();
                handled.incrementAndGet();
                done.complete();
            }));
            return done.future();
        });
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            sampler.scheduleAtFixedRate(() -> mostInFlight.accumulateAndGet(consumer.inFlight(), Math::max),
                    0, 1, TimeUnit.MILLISECONDS);
            Future<?> sent = Future.succeededFuture();
            for (int i = 0; i < total; i++) {
                // spread over every partition explicitly, whatever the keys hash to
                ProducerRecord<String, byte[]> record = codec.toRecord(topic, scale("slow-" + i, "web-" + i % 6));
                int partition = i % partitions;
                sent = sent.compose(v -> publisher.send(new ProducerRecord<>(record.topic(), partition,
                        record.key(), record.value(), record.headers())));
            }
            sent.await(30, TimeUnit.SECONDS);

            // Every handler is stuck: the consumer fills up to its limit and no further. (Which partitions the held
            // records come from depends on what the first fetches returned: a poll may hand over four records of
            // one partition, whose lane then holds one of them at a time.)
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(mostHeldAtOnce.get()).isGreaterThanOrEqualTo(1);
                assertThat(consumer.inFlight()).isGreaterThanOrEqualTo(maxInFlight);
            });
            await().during(Duration.ofMillis(500)).atMost(WAIT)
                    .untilAsserted(() -> assertThat(consumer.inFlight()).isLessThanOrEqualTo(bound));

            // Handlers finish a few at a time until every record is through.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
                Runnable release;
                while ((release = held.poll()) != null) {
                    release.run();
                }
                assertThat(handled).hasValue(total);
            });
        } finally {
            sampler.shutdownNow();
        }

        assertThat(mostInFlight.get()).isBetween(maxInFlight, bound);
        await().atMost(WAIT).untilAsserted(() -> assertThat(committedTotal(group)).isEqualTo(total));
        assertThat(consumer.inFlight()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private EventConsumer start(int maxInFlight, int maxAttempts, EventHandler handler) throws Exception {
        return start(group + "-" + consumers.size(), maxInFlight, maxAttempts, handler);
    }

    private EventConsumer start(String clientId, int maxInFlight, int maxAttempts, EventHandler handler)
            throws Exception {
        EventConsumer consumer = new EventConsumer(vertx,
                new EventConsumer.Settings(List.of(topic), group, maxInFlight, maxAttempts, BACKOFF, BACKOFF_MAX),
                KafkaSettings.consumer(broker.bootstrapServers(), group, clientId),
                codec, handler, publisher, registry);
        consumers.add(consumer);
        consumer.start().await(10, TimeUnit.SECONDS);
        return consumer;
    }

    private static Event<ServiceScaleRequested> scale(String id, String workload) {
        return new Event<>(id, URI.create("/winch/gateway/hooks/it"), Instant.now(), new ServiceScaleRequested("it",
                new WorkloadRef("shop", "deployment", workload), ScaleAction.UP, 1, 1, 10, 0));
    }

    /** Publishes to this test's topic, in order: each send starts once the previous one is acknowledged. */
    private void publishAll(List<Event<?>> events) throws Exception {
        Future<?> chain = Future.succeededFuture();
        for (Event<?> event : events) {
            chain = chain.compose(v -> publisher.send(codec.toRecord(topic, event)));
        }
        chain.await(30, TimeUnit.SECONDS);
    }

    private static long committedTotal(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static long endOffset(String topic) throws Exception {
        TopicPartition partition = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                .get(10, TimeUnit.SECONDS).offset();
    }

    /** Every record of a one-partition topic, once there are at least {@code expected}. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected) {
        Map<String, Object> config = KafkaSettings.consumer(broker.bootstrapServers(),
                KafkaBrokerExtension.uniqueName("it-reader"), "it-reader");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(config)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            await().atMost(WAIT).until(() -> {
                reader.poll(Duration.ofMillis(100)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return Collections.unmodifiableList(records);
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private double count(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
