package dev.winch.gateway;

import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.EventDecodingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads what the gateway wrote, as a worker would: every partition of a topic, decoded with {@link EventCodec}. */
public final class EventLog {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final EventCodec codec = new EventCodec();

    public EventLog(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Where the topic ends now: the next offset of each partition. */
    public Map<TopicPartition, Long> endOffsets(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            return consumer.endOffsets(partitions(consumer, topic), READ_TIMEOUT);
        }
    }

    /** Every event of the topic, from its beginning to its end now. */
    public List<Event<?>> readAll(String topic) {
        return read(topic, null, endOffsets(topic));
    }

    /** The events at offsets {@code [from, to)} of each partition ({@code from} null: the beginning). */
    public List<Event<?>> read(String topic, Map<TopicPartition, Long> from, Map<TopicPartition, Long> to) {
        List<Event<?>> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records(topic, from, to)) {
            try {
                events.add(codec.fromRecord(record));
            } catch (EventDecodingException e) {
                throw new AssertionError("not a Winch event at " + record.topic() + "-" + record.partition() + "@"
                        + record.offset() + ": " + e.getMessage(), e);
            }
        }
        return events;
    }

    /** The raw records at offsets {@code [from, to)}, for topics that do not hold CloudEvents. */
    public List<ConsumerRecord<String, byte[]>> records(String topic, Map<TopicPartition, Long> from,
            Map<TopicPartition, Long> to) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>(to.keySet());
            consumer.assign(partitions);
            if (from == null) {
                consumer.seekToBeginning(partitions);
            } else {
                partitions.forEach(p -> consumer.seek(p, from.getOrDefault(p, 0L)));
            }
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= to.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + to + " within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < to.get(partition)) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Reads stop at offsets known to exist: no reason to let the broker hold a fetch open for more.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(config);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, READ_TIMEOUT)) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        return partitions;
    }
}
