package dev.winch.testkit;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Everything written to a topic from the moment the tail is made, decoded, in the order it was read (per partition,
 * the topic's order): what a test reads its services' output from, e.g. the results on {@code winch.results}. No
 * consumer group: every partition is assigned and read from its end as it was when the tail was made, so records of
 * earlier tests on a shared broker are not seen, and nothing a test publishes after making it is missed.
 *
 * @param <T> what a record decodes to
 */
public final class TopicTail<T> implements AutoCloseable {

    /** What a record of the topic is to the test; empty for a record the test does not look at. */
    @FunctionalInterface
    public interface Decoder<T> {
        Optional<T> decode(ConsumerRecord<String, byte[]> record);
    }

    private final List<T> seen = new CopyOnWriteArrayList<>();
    private final Function<? super T, String> idOf;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Starts reading {@code topic} (which must exist) from its current end.
     *
     * @param idOf what {@link #of(String)} looks items up by (for a result: the id of the event it answers)
     */
    public TopicTail(KafkaBroker broker, String topic, Decoder<T> decoder, Function<? super T, String> idOf) {
        this.idOf = idOf;
        Map<String, Object> config = new HashMap<>(broker.consumerProps("unused"));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(config);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before anything is published
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        decoder.decode(record).ifPresent(seen::add);
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        }, "tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** The items whose id ({@code idOf}) is {@code id}, in the order read. */
    public List<T> of(String id) {
        return seen.stream().filter(item -> id.equals(idOf.apply(item))).toList();
    }

    /** Every item read so far. */
    public List<T> all() {
        return List.copyOf(seen);
    }

    public int size() {
        return seen.size();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}
