package dev.winch.gateway.deadletter;

import dev.winch.common.kafka.DeadLetterHeaders;
import dev.winch.gateway.console.ConsoleKafka;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter topics ({@code <topic>.dlq}): how many records each holds, their newest records, and the redrive
 * of records back to the topic they came from. Every call runs on the {@link ConsoleKafka} worker pool and fails
 * (the endpoint answers 503) when Kafka cannot be asked within {@link ConsoleKafka#TIMEOUT}.
 */
public final class DeadLetters {

    /** The most of a record's value a listing shows. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    private static final Duration POLL = Duration.ofMillis(200);

    /** A dead-letter topic and how many records it holds (end minus start offsets; a compacted topic holds fewer). */
    public record TopicCount(String topic, long records) {
    }

    /**
     * One dead-lettered record as shown.
     *
     * @param value          the value as UTF-8 text, at most {@link #MAX_VALUE_BYTES} of it
     * @param valueTruncated whether {@code value} is only the start of it
     */
    public record Letter(int partition, long offset, Instant timestamp, String key, Map<String, String> headers,
            String eventId, String type, String value, boolean valueTruncated) {
    }

    /** Where one record went, or why it did not. */
    public sealed interface Redriven permits Redriven.Published, Redriven.Refused {

        int partition();

        long offset();

        record Published(int partition, long offset, String topic) implements Redriven {
        }

        record Refused(int partition, long offset, String reason) implements Redriven {
        }
    }

    private final ConsoleKafka kafka;

    public DeadLetters(ConsoleKafka kafka) {
        this.kafka = kafka;
    }

    /** Every dead-letter topic with its record count, by name. */
    public Future<List<TopicCount>> topics() {
        return kafka.call(() -> counts(kafka.admin()));
    }

    /** Blocking: the dead-letter topics of the cluster and their record counts, by name. */
    public static List<TopicCount> counts(Admin admin) throws Exception {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(false)).names()
                .get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                .filter(DeadLetterTopics::isDeadLetterTopic)
                .collect(Collectors.toSet());
        if (names.isEmpty()) {
            return List.of();
        }
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription topic : admin.describeTopics(names).allTopicNames()
                .get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values()) {
            topic.partitions().forEach(p -> {
                TopicPartition partition = new TopicPartition(topic.name(), p.partition());
                earliest.put(partition, OffsetSpec.earliest());
                latest.put(partition, OffsetSpec.latest());
            });
        }
        var start = admin.listOffsets(earliest).all().get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        var end = admin.listOffsets(latest).all().get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, Long> records = new TreeMap<>();
        names.forEach(name -> records.put(name, 0L));
        end.forEach((partition, info) -> records.merge(partition.topic(),
                Math.max(0, info.offset() - start.get(partition).offset()), Long::sum));
        return records.entrySet().stream().map(e -> new TopicCount(e.getKey(), e.getValue())).toList();
    }

    /**
     * The newest {@code limit} records of a dead-letter topic, newest first (by timestamp, over all partitions);
     * empty when the topic does not exist.
     */
    public Future<Optional<List<Letter>>> newest(String topic, int limit) {
        return kafka.call(() -> {
            Optional<Map<TopicPartition, long[]>> bounds = bounds(topic);
            if (bounds.isEmpty()) {
                return Optional.empty();
            }
            Map<TopicPartition, Long> from = new HashMap<>();
            Map<TopicPartition, Long> to = new HashMap<>();
            bounds.get().forEach((partition, range) -> {
                // Each partition's newest `limit`: whatever the spread, the newest `limit` overall are among them.
                if (range[1] > range[0]) {
                    from.put(partition, Math.max(range[0], range[1] - limit));
                    to.put(partition, range[1] - 1);
                }
            });
            // Kept as letters (values cut to 64 KiB), at most `limit` of them: the oldest is dropped on overflow.
            Comparator<Letter> newestFirst = Comparator.comparing(Letter::timestamp)
                    .thenComparingLong(Letter::offset).thenComparingInt(Letter::partition).reversed();
            PriorityQueue<Letter> newest = new PriorityQueue<>(newestFirst.reversed());
            read(from, to, record -> {
                newest.add(letter(record));
                if (newest.size() > limit) {
                    newest.poll();
                }
            });
            List<Letter> letters = new ArrayList<>(newest);
            letters.sort(newestFirst);
            return Optional.of(letters);
        });
    }

    /**
     * Re-publishes the records of {@code request} to the topic each came from, with its key, value and headers
     * (without the {@code winch_dlq_*} headers, which described the failure) and {@code winch_redriven_from}; each
     * is acknowledged by Kafka before it counts as redriven. Empty when the topic does not exist.
     */
    public Future<Optional<List<Redriven>>> redrive(String topic, RedriveRequest request) {
        return kafka.call(() -> {
            Optional<Map<TopicPartition, long[]>> bounds = bounds(topic);
            if (bounds.isEmpty()) {
                return Optional.empty();
            }
            TopicPartition partition = new TopicPartition(topic, request.partition());
            long[] range = bounds.get().get(partition);
            if (range == null) {
                throw new NoSuchPartition(topic, request.partition(), bounds.get().size());
            }
            List<Redriven> outcome = new ArrayList<>();
            long first = Math.max(request.fromOffset(), range[0]);
            long last = Math.min(request.toOffset(), range[1] - 1);
            Map<Long, ConsumerRecord<byte[], byte[]>> found = new HashMap<>();
            if (first <= last) {
                read(Map.of(partition, first), Map.of(partition, last), r -> found.put(r.offset(), r));
            }
            Set<String> existing = kafka.admin().listTopics().names()
                    .get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (long offset = request.fromOffset(); offset <= request.toOffset(); offset++) {
                ConsumerRecord<byte[], byte[]> record = found.get(offset);
                if (offset < range[0] || offset >= range[1]) {
                    outcome.add(new Redriven.Refused(partition.partition(), offset, "offset out of range: partition "
                            + partition.partition() + " of " + topic + " holds "
                            + (range[1] > range[0] ? "offsets " + range[0] + " to " + (range[1] - 1) : "no records")));
                } else if (record == null) {
                    // Within the range, but no record: a transaction marker, or removed by compaction.
                    outcome.add(new Redriven.Refused(partition.partition(), offset, "no record at this offset"));
                } else {
                    outcome.add(redrive(topic, record, existing));
                }
            }
            return Optional.of(outcome);
        });
    }

    /** A partition the topic does not have; the request names it, so it is the caller's mistake. */
    public static final class NoSuchPartition extends RuntimeException {

        public NoSuchPartition(String topic, int partition, int partitions) {
            super("topic " + topic + " has " + partitions + " partition(s): 0 to " + (partitions - 1)
                    + ", not " + partition);
        }
    }

    private Redriven redrive(String topic, ConsumerRecord<byte[], byte[]> record, Set<String> existing)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        String named = text(record.headers().lastHeader(DeadLetterHeaders.ORIGINAL_TOPIC));
        Optional<String> refusal = DeadLetterTopics.refusal(topic, named, existing);
        if (refusal.isPresent()) {
            return new Redriven.Refused(record.partition(), record.offset(), refusal.get());
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith(DeadLetterHeaders.PREFIX)) {
                headers.add(header);
            }
        }
        headers.add(DeadLetterHeaders.REDRIVEN_FROM, (topic + "/" + record.partition() + "/" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(named, null, record.key(), record.value(), headers);
        try {
            kafka.producer().send(out).get(ConsoleKafka.TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                // Retrying would not help: the deployment does not let the gateway write there.
                return new Redriven.Refused(record.partition(), record.offset(), "the gateway may not write to '"
                        + named + "': Kafka refused it (" + e.getCause().getMessage() + ")");
            }
            // Kafka did not take it: the whole request fails (503), as the records before it may be redriven again.
            throw new TimeoutException("Kafka did not acknowledge the redrive of " + topic + "/" + record.partition()
                    + "/" + record.offset() + ": " + e.getCause());
        }
        return new Redriven.Published(record.partition(), record.offset(), named);
    }

    /** Start (inclusive) and end (exclusive) offset of every partition of the topic; empty when it does not exist. */
    private Optional<Map<TopicPartition, long[]>> bounds(String topic) throws Exception {
        TopicDescription description;
        try {
            description = kafka.admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> {
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        });
        Admin admin = kafka.admin();
        var start = admin.listOffsets(earliest).all().get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        var end = admin.listOffsets(latest).all().get(ConsoleKafka.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, long[]> bounds = new LinkedHashMap<>();
        start.forEach((partition, info) -> bounds.put(partition,
                new long[] {info.offset(), end.get(partition).offset()}));
        return Optional.of(bounds);
    }

    /**
     * Hands each record from {@code from} to {@code to} (both inclusive) of each partition to {@code each}, read
     * with an assign-mode reader.
     */
    private void read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        if (from.isEmpty()) {
            return;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.reader("gateway-deadletters")) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            List<TopicPartition> remaining = new ArrayList<>(from.keySet());
            long deadline = System.nanoTime() + ConsoleKafka.TIMEOUT.toNanos();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the dead-letter topic could not be read within "
                            + ConsoleKafka.TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() <= to.get(partition)) {
                        each.accept(record);
                    }
                }
                remaining.removeIf(partition -> {
                    boolean done = consumer.position(partition) > to.get(partition);
                    if (done) {
                        consumer.pause(List.of(partition));
                    }
                    return done;
                });
            }
        }
    }

    private static Letter letter(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), text(header));
        }
        byte[] value = record.value();
        boolean truncated = value != null && value.length > MAX_VALUE_BYTES;
        return new Letter(record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()),
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8), headers,
                headers.get("ce_id"), headers.get("ce_type"),
                value == null ? null : prefix(value, truncated ? MAX_VALUE_BYTES : value.length), truncated);
    }

    /** The first {@code length} bytes as text (a character cut in half at the end shows as U+FFFD). */
    private static String prefix(byte[] value, int length) {
        return new String(value, 0, length, StandardCharsets.UTF_8);
    }

    private static String text(Header header) {
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
