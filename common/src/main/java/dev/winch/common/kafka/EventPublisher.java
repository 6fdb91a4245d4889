package dev.winch.common.kafka;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * Writes records to Kafka and completes only when the broker acknowledged them (acks=all, idempotent producer).
 * A failed future means the record may not be stored: the caller must not acknowledge it.
 *
 * <p>{@link Producer#send} only hands the record to the producer's buffer, but it can block: while the producer has
 * no metadata for the topic (the first record to it, or a topic unused for {@code metadata.max.idle.ms}) and while
 * its buffer ({@code buffer.memory}) is full, each for up to {@code max.block.ms}. So a record is handed over on the
 * calling event loop only when neither can happen: the topic had a record acknowledged in the last
 * {@link #KNOWN_TOPIC} (its metadata is cached, and a broker outage does not drop it), fewer than half of
 * {@code buffer.memory} bytes are waiting, and no record is waiting for the send thread. Every other record (and
 * every record from a thread that is not an event loop) goes through one send thread, in order. Either way the
 * future completes on the caller's context.
 */
public final class EventPublisher {

    /** How recently a topic must have had a record acknowledged for the next one to be sent from an event loop. */
    static final Duration KNOWN_TOPIC = Duration.ofSeconds(60);

    private static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;

    private final Vertx vertx;
    private final Producer<String, byte[]> producer;
    private final EventCodec codec;
    private final ExecutorService sendThread;
    private final long directBytesLimit;
    private final AtomicInteger queuedForSendThread = new AtomicInteger();
    private final AtomicLong bytesWaiting = new AtomicLong();
    /** Topic → {@link System#nanoTime()} of its last acknowledged record. */
    private final Map<String, AtomicLong> lastAck = new ConcurrentHashMap<>();
    private final Counter sent;
    private final Counter failed;
    private final Counter fromSendThread;

    public EventPublisher(Vertx vertx, Map<String, String> producerConfig, EventCodec codec, MeterRegistry registry) {
        this(vertx, new KafkaProducer<>(Map.<String, Object>copyOf(producerConfig)),
                bufferMemory(producerConfig), codec, registry);
    }

    /** With a producer of the caller's making (tests). */
    EventPublisher(Vertx vertx, Producer<String, byte[]> producer, long bufferMemory, EventCodec codec,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.producer = producer;
        this.codec = codec;
        this.directBytesLimit = bufferMemory / 2;
        this.sendThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "winch-kafka-send");
            thread.setDaemon(true);
            return thread;
        });
        this.sent = Counter.builder("winch_kafka_records_sent_total").register(registry);
        this.failed = Counter.builder("winch_kafka_records_send_failed_total").register(registry);
        this.fromSendThread = Counter.builder("winch_kafka_records_via_send_thread_total")
                .description("records handed to the producer by the send thread rather than the calling event loop")
                .register(registry);
    }

    /** Publishes an event to its type's topic, keyed by its partition key. */
    public Future<RecordMetadata> publish(Event<?> event) {
        return send(codec.toRecord(event));
    }

    /** Publishes an already encoded record (dead letters, receivers). */
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        Promise<RecordMetadata> promise = ((ContextInternal) vertx.getOrCreateContext()).promise();
        int bytes = sizeOf(record);
        if (Context.isOnEventLoopThread() && mayHandOverHere(record.topic(), bytes)) {
            handOver(record, bytes, promise);
        } else {
            queuedForSendThread.incrementAndGet();
            try {
                sendThread.execute(() -> {
                    try {
                        fromSendThread.increment();
                        handOver(record, bytes, promise);
                    } finally {
                        queuedForSendThread.decrementAndGet();
                    }
                });
            } catch (RejectedExecutionException e) {
                queuedForSendThread.decrementAndGet();
                failed.increment();
                promise.fail(new IllegalStateException("the Kafka publisher is closed"));
            }
        }
        return promise.future();
    }

    private boolean mayHandOverHere(String topic, int bytes) {
        if (queuedForSendThread.get() > 0 || bytesWaiting.get() + bytes > directBytesLimit) {
            return false;
        }
        AtomicLong acked = lastAck.get(topic);
        return acked != null && System.nanoTime() - acked.get() < KNOWN_TOPIC.toNanos();
    }

    private void handOver(ProducerRecord<String, byte[]> record, int bytes, Promise<RecordMetadata> promise) {
        bytesWaiting.addAndGet(bytes);
        try {
            producer.send(record, (metadata, error) -> {
                bytesWaiting.addAndGet(-bytes);
                if (error == null) {
                    lastAck.computeIfAbsent(record.topic(), topic -> new AtomicLong()).set(System.nanoTime());
                    sent.increment();
                    promise.complete(metadata);
                } else {
                    failed.increment();
                    promise.fail(error);
                }
            });
        } catch (RuntimeException e) {
            // Thrown before the record reached the buffer (closed producer, no metadata within max.block.ms,
            // serialization): the callback does not run.
            bytesWaiting.addAndGet(-bytes);
            failed.increment();
            promise.tryFail(e);
        }
    }

    /** Stops taking records, waits for the ones handed over, closes the producer. */
    public Future<Void> close() {
        return vertx.executeBlocking(() -> {
            sendThread.shutdown();
            sendThread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            producer.close(Duration.ofSeconds(10));
            return null;
        }, false);
    }

    private static int sizeOf(ProducerRecord<String, byte[]> record) {
        int size = record.value() == null ? 0 : record.value().length;
        size += record.key() == null ? 0 : record.key().length();
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    private static long bufferMemory(Map<String, String> config) {
        String value = config.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        return value == null ? DEFAULT_BUFFER_MEMORY : Long.parseLong(value);
    }
}
