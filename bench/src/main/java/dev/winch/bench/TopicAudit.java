package dev.winch.bench;

import dev.winch.common.kafka.KafkaSettings;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a phase left on its topic: how many records (end offsets, exact because nothing else writes these topics
 * during the benchmark and no producer is transactional), and whether every event id the gateway answered 2xx
 * with can be read back.
 */
final class TopicAudit implements AutoCloseable {

    /** The CloudEvents Kafka binding's header for the event id (binary mode). */
    private static final String CE_ID = "ce_id";
    private static final Duration READ_BACK_TIMEOUT = Duration.ofMinutes(5);

    private final String bootstrapServers;
    private final Admin admin;

    TopicAudit(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(new HashMap<>(KafkaSettings.admin(bootstrapServers)));
    }

    /** The end offset of every partition of {@code topic}. */
    Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((p, info) -> ends.put(p, info.offset()));
        return ends;
    }

    static long written(Map<TopicPartition, Long> before, Map<TopicPartition, Long> after) {
        return after.entrySet().stream().mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
    }

    /**
     * The outcome of reading a phase's records back.
     *
     * @param answered  ids of 2xx answers
     * @param read      records read between the offsets
     * @param missing   ids answered 2xx and not on the topic: acknowledged and lost
     * @param duplicates ids found more than once
     * @param unanswered records whose id no 2xx answer carried (written, then the answer failed or timed out)
     */
    record ReadBack(long answered, long read, long missing, long duplicates, long unanswered) {
    }

    /** Reads the records between {@code from} and {@code to} and looks for every id in {@code idsFile}. */
    ReadBack readBack(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to, Path idsFile)
            throws IOException {
        Set<UUID> expected = readIds(idsFile);
        long answered = expected.size();
        Set<UUID> seen = new HashSet<>(expected.size() * 2);
        long read = 0;
        long duplicates = 0;
        long unanswered = 0;
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024));
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(32 * 1024 * 1024));
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long deadline = System.nanoTime() + READ_BACK_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = to.keySet().stream()
                    .filter(p -> to.get(p) > from.getOrDefault(p, 0L)).toList();
            consumer.assign(partitions);
            partitions.forEach(p -> consumer.seek(p, from.getOrDefault(p, 0L)));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < to.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the records back within " + READ_BACK_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= to.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    read++;
                    Header header = record.headers().lastHeader(CE_ID);
                    UUID id = header == null ? null : parse(new String(header.value(), StandardCharsets.UTF_8));
                    if (id == null || !expected.contains(id)) {
                        unanswered++;
                    } else if (!seen.add(id)) {
                        duplicates++;
                    }
                }
            }
        }
        return new ReadBack(answered, read, answered - seen.size(), duplicates, unanswered);
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Set<UUID> readIds(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            int count = in.readInt();
            Set<UUID> ids = new HashSet<>(count * 2);
            for (int i = 0; i < count; i++) {
                ids.add(new UUID(in.readLong(), in.readLong()));
            }
            return ids;
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
