package dev.winch.common.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of some topics, outside any consumer group, and hands each record to a callback on a
 * Vert.x context: for state every replica keeps whole (receivers from a compacted topic, delivery status).
 * {@link #start()} completes once the records present at start have been handed over ("caught up").
 */
public final class TopicFollower {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

    /** Where to start reading. */
    public enum From {
        BEGINNING, END
    }

    private final Vertx vertx;
    private final KafkaClientSettings kafka;
    private final List<String> topics;
    private final From from;
    private final Consumer<ConsumerRecord<String, byte[]>> onRecord;
    private final Map<String, Object> overrides;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Promise<Void> stopped = Promise.promise();

    /** A follower of a plaintext cluster; a service passes its {@link KafkaClientSettings} instead. */
    public TopicFollower(Vertx vertx, String bootstrapServers, List<String> topics, From from,
            Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        this(vertx, KafkaClientSettings.plaintext(bootstrapServers), topics, from, Map.of(), onRecord);
    }

    /** @param overrides consumer settings on top of the defaults, e.g. larger fetches for a busy topic */
    public TopicFollower(Vertx vertx, String bootstrapServers, List<String> topics, From from,
            Map<String, Object> overrides, Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        this(vertx, KafkaClientSettings.plaintext(bootstrapServers), topics, from, overrides, onRecord);
    }

    /** A follower with the service's Kafka client settings (TLS, SASL, ...). */
    public TopicFollower(Vertx vertx, KafkaClientSettings kafka, List<String> topics, From from,
            Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        this(vertx, kafka, topics, from, Map.of(), onRecord);
    }

    /** @param overrides consumer settings on top of the service's, e.g. larger fetches for a busy topic */
    public TopicFollower(Vertx vertx, KafkaClientSettings kafka, List<String> topics, From from,
            Map<String, Object> overrides, Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        this.overrides = Map.copyOf(overrides);
        this.vertx = vertx;
        this.kafka = kafka;
        this.topics = List.copyOf(topics);
        this.from = from;
        this.onRecord = onRecord;
    }

    public Future<Void> start() {
        Context context = vertx.getOrCreateContext();
        Promise<Void> caughtUp = Promise.promise();
        running = true;
        Thread thread = new Thread(() -> run(context, caughtUp), "winch-follow-" + String.join("+", topics));
        thread.setDaemon(true);
        thread.start();
        return caughtUp.future();
    }

    public Future<Void> stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        return stopped.future();
    }

    private void run(Context context, Promise<Void> caughtUp) {
        Map<String, Object> config = kafka.reader();
        config.putAll(overrides);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config)) {
            consumer = c;
            List<TopicPartition> partitions = partitions(c);
            c.assign(partitions);
            if (from == From.BEGINNING) {
                c.seekToBeginning(partitions);
            } else {
                c.seekToEnd(partitions);
            }
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (running) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = c.poll(Duration.ofMillis(200));
                } catch (WakeupException e) {
                    break;
                }
                if (!records.isEmpty()) {
                    List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
                    records.forEach(batch::add);
                    context.runOnContext(v -> batch.forEach(onRecord));
                }
                // Ordered after the batch on the same context: "caught up" means handed over, not just fetched.
                if (!caughtUp.future().isComplete() && reached(c, end)) {
                    context.runOnContext(v -> caughtUp.tryComplete());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Following {} stopped: {}", topics, e.toString());
            caughtUp.tryFail(e);
        } finally {
            consumer = null;
            stopped.tryComplete();
        }
    }

    private boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        return topics.stream()
                .flatMap(topic -> c.partitionsFor(topic, Duration.ofSeconds(30)).stream())
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
    }
}
