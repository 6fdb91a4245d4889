package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes records to Kafka and completes only when the broker acknowledged them (acks=all, idempotent producer).
 * A failed future means the record may not be stored: the caller must not acknowledge it.
 *
 * <p>{@link Producer#send} only hands the record to the producer's buffer, but it waits while the producer has no
 * metadata for the topic (the first record to it, or after a broker said it does not know it, as a single broker
 * does while it shuts down) and while the buffer is full, up to {@code max.block.ms}. An event loop must never
 * wait, so the producer here is built with {@code max.block.ms=0}: {@code send} then fails at once instead of
 * waiting, with a {@link TimeoutException} passed to the callback before {@code send} returns. Such a record is
 * handed to the publisher's send thread, which tries again until the configured {@code max.block.ms} has passed.
 * So a caller on an event loop hands its record over itself when that needs no waiting (the common case), and no
 * caller ever waits. Records go to the producer in the order they were given: while one waits for the send thread,
 * every later one goes there too. Callers that are not on an event loop always use the send thread. The future
 * completes on the caller's context.
 */
public final class EventPublisher {

    private static final long RETRY_MILLIS = 5;
    private static final long DEFAULT_MAX_BLOCK_MS = 60_000;

    private final Vertx vertx;
    private final Producer<String, byte[]> producer;
    private final EventCodec codec;
    private final Duration maxWait;
    private final ExecutorService sendThread;
    private final AtomicInteger queuedForSendThread = new AtomicInteger();
    private final Counter sent;
    private final Counter failed;
    private final Counter fromSendThread;

    /** A producer with {@code producerConfig}, except that its own {@code max.block.ms} is 0 (see above). */
    public EventPublisher(Vertx vertx, Map<String, String> producerConfig, EventCodec codec, MeterRegistry registry) {
        this(vertx, new KafkaProducer<>(nonBlocking(producerConfig)), maxWait(producerConfig), codec, registry);
    }

    /**
     * A publisher whose records go nowhere: each one is encoded and handed over exactly as by a real publisher, then
     * acknowledged at once by a producer that keeps nothing. It lets a service run its whole write path without
     * writing anything (the gateway's warm-up before it serves). Its counters go to {@code registry}: give it one
     * of its own so they do not count as real records.
     */
    public static EventPublisher discarding(Vertx vertx, EventCodec codec, MeterRegistry registry) {
        return new EventPublisher(vertx, new DiscardingProducer(), Duration.ofSeconds(1), codec, registry);
    }

    /**
     * With a producer of the caller's making (tests); it must not wait in {@code send}.
     *
     * @param maxWait how long a record may wait for the producer to take it
     */
    EventPublisher(Vertx vertx, Producer<String, byte[]> producer, Duration maxWait, EventCodec codec,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.producer = producer;
        this.codec = codec;
        this.maxWait = maxWait;
        this.sendThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "winch-kafka-send");
            thread.setDaemon(true);
            return thread;
        });
        this.sent = Counter.builder("winch_kafka_records_sent_total").register(registry);
        this.failed = Counter.builder("winch_kafka_records_send_failed_total").register(registry);
        this.fromSendThread = Counter.builder("winch_kafka_records_via_send_thread_total")
                .description("records the producer could not take at once from the calling event loop")
                .register(registry);
    }

    /** Publishes an event to its type's topic, keyed by its partition key. */
    public Future<RecordMetadata> publish(Event<?> event) {
        return send(codec.toRecord(event));
    }

    /** Publishes an already encoded record (dead letters, receivers). */
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        // Completed by the producer's I/O thread; the Future hands the outcome to the caller's context.
        CompletableFuture<RecordMetadata> outcome = new CompletableFuture<>();
        Future<RecordMetadata> future = Future.fromCompletionStage(outcome, vertx.getOrCreateContext());
        long deadline = System.nanoTime() + maxWait.toNanos();
        if (Context.isOnEventLoopThread() && queuedForSendThread.get() == 0 && handOver(record, outcome)) {
            return future;
        }
        queuedForSendThread.incrementAndGet();
        try {
            sendThread.execute(() -> {
                try {
                    fromSendThread.increment();
                    handOverBy(record, outcome, deadline);
                } finally {
                    queuedForSendThread.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            queuedForSendThread.decrementAndGet();
            failed.increment();
            outcome.completeExceptionally(new IllegalStateException("the Kafka publisher is closed"));
        }
        return future;
    }

    /** On the send thread: tries until the producer takes the record or the deadline has passed. */
    private void handOverBy(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> outcome,
            long deadline) {
        while (!handOver(record, outcome)) {
            if (System.nanoTime() >= deadline) {
                failed.increment();
                outcome.completeExceptionally(new TimeoutException("Kafka did not take the record within "
                        + maxWait.toMillis() + " ms (no metadata for " + record.topic() + ", or its buffer is full)"));
                return;
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.increment();
                outcome.completeExceptionally(e);
                return;
            }
        }
    }

    /**
     * Gives the record to the producer. False when the producer would have had to wait (it said so with a
     * {@link TimeoutException} before {@code send} returned): then the record is not in its buffer and the outcome
     * is untouched. Anything else completes it, now or when the broker answers.
     */
    private boolean handOver(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> outcome) {
        SendCallback callback = new SendCallback(outcome);
        try {
            producer.send(record, callback);
        } catch (RuntimeException e) {
            // Thrown before the record reached the buffer (closed producer, serialization): no callback.
            failed.increment();
            outcome.completeExceptionally(e);
            return true;
        }
        return callback.handedOver();
    }

    /** Stops taking records, waits for the ones handed over, closes the producer. */
    public Future<Void> close() {
        return vertx.executeBlocking(() -> {
            sendThread.shutdown();
            sendThread.awaitTermination(maxWait.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            producer.close(Duration.ofSeconds(10));
            return null;
        }, false);
    }

    /** The producer's callback; knows whether it ran inside {@code send}, i.e. before the record was buffered. */
    private final class SendCallback implements org.apache.kafka.clients.producer.Callback {

        private final CompletableFuture<RecordMetadata> outcome;
        private final Thread caller = Thread.currentThread();
        private volatile boolean returned;
        private boolean wouldWait;

        SendCallback(CompletableFuture<RecordMetadata> outcome) {
            this.outcome = outcome;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception error) {
            if (error == null) {
                sent.increment();
                outcome.complete(metadata);
            } else if (!returned && Thread.currentThread() == caller && error instanceof TimeoutException) {
                // No metadata or no buffer space, and max.block.ms=0: nothing was buffered; try again later.
                wouldWait = true;
            } else {
                failed.increment();
                outcome.completeExceptionally(error);
            }
        }

        boolean handedOver() {
            returned = true;
            return !wouldWait;
        }
    }

    /** Acknowledges every record in {@code send} and forgets it (a MockProducer would keep them all). */
    private static final class DiscardingProducer extends MockProducer<String, byte[]> {

        DiscardingProducer() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, byte[]> record,
                org.apache.kafka.clients.producer.Callback callback) {
            java.util.concurrent.Future<RecordMetadata> sent = super.send(record, callback);
            clear();
            return sent;
        }
    }

    private static Map<String, Object> nonBlocking(Map<String, String> config) {
        Map<String, Object> copy = new HashMap<>(config);
        copy.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
        return copy;
    }

    private static Duration maxWait(Map<String, String> config) {
        String value = config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG);
        return Duration.ofMillis(value == null ? DEFAULT_MAX_BLOCK_MS : Long.parseLong(value));
    }
}
